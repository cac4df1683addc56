"""meetings.selectors, split by step: before.py (R1–R3: study, talks, problems), meeting.py (R4: the meeting)."""
