from .access import role_of


def scope(request):
    return {"role": role_of(getattr(request, "user", None))}
