"""`{% load ops %}{% history_link record %}`: a link to the record's change history, for those who may read it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from branch import access

register = template.Library()


@register.simple_tag(takes_context=True)
def history_link(context, record, label="修改记录"):
    request = context.get("request")
    if record is None or request is None:
        return ""
    if not getattr(record._meta, "simple_history_manager_attribute", None):
        return ""
    if access.role_of(request.user) not in ("admin", access.Role.SECRETARY, access.Role.TOWNSHIP):
        return ""
    url = reverse("history", args=[record._meta.app_label, record._meta.model_name, record.pk])
    return format_html('<a class="small" href="{}">{}</a>', url, label)
