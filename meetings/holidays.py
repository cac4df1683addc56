"""元旦 and 春节, when members away come home (R4.6): "对外出党员、确实难以集中的党员，可以利用元旦春节期间集中返乡的时机进行".

春节 (正月初一) follows the lunar calendar; a small table is enough for the years the system runs, and adds no
dependency. Outside the table there is no 春节 window (the planner says so) rather than a guessed date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# 正月初一 of each year (Gregorian), 2018–2035.
SPRING_FESTIVAL = {
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}

# Members away come home around 小年 (腊月廿三, a week before 春节: 廿三 is 7 or 8 days before, as 腊月 has 29 or 30
# days; the table keeps no month lengths, so the window opens 7 days before) and leave after 元宵 (正月十五 = 初一 + 14).
HOME_BEFORE = 7
HOME_AFTER = 14
# 除夕 and 正月初一 to 初三 are family days: no meeting is proposed on them.
FAMILY_DAYS = range(-1, 3)


@dataclass(frozen=True)
class Window:
    name: str  # "2019年春节" / "2019年元旦"
    starts_on: date
    ends_on: date
    festival: date  # 正月初一, or 1 January

    def days(self) -> list[date]:
        n = (self.ends_on - self.starts_on).days
        return [self.starts_on + timedelta(days=i) for i in range(n + 1)]

    def lunar_label(self, day: date) -> str:
        """腊月/正月 in words for a day of a 春节 window (除夕, 初一 … 十五); for 元旦, the Gregorian day."""
        offset = (day - self.festival).days
        if "元旦" in self.name:
            return "元旦" if offset == 0 else ""
        if offset == -1:
            return "除夕"
        if offset < -1:
            return f"春节前{-offset}天"
        return "正月" + _LUNAR_DAYS[offset] if offset < len(_LUNAR_DAYS) else ""


_LUNAR_DAYS = ["初一", "初二", "初三", "初四", "初五", "初六", "初七", "初八", "初九", "初十"] + [
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
]


def spring_festival(year: int) -> date | None:
    return SPRING_FESTIVAL.get(year)


def spring_window(year: int) -> Window | None:
    """From a week before 春节 (小年前后) to 正月十五: when members away are home."""
    day = spring_festival(year)
    if day is None:
        return None
    return Window(f"{year}年春节", day - timedelta(days=HOME_BEFORE), day + timedelta(days=HOME_AFTER), day)


def new_year_window(year: int) -> Window:
    """The 元旦 holiday: 30 December to 1 January."""
    day = date(year, 1, 1)
    return Window(f"{year}年元旦", day - timedelta(days=2), day, day)


def is_family_day(window: Window, day: date) -> bool:
    return "春节" in window.name and (day - window.festival).days in FAMILY_DAYS


def home_windows(first_year: int, last_year: int) -> list[Window]:
    """Every 元旦 and 春节 window of the years, in date order."""
    out: list[Window] = []
    for year in range(first_year, last_year + 1):
        out.append(new_year_window(year))
        spring = spring_window(year)
        if spring is not None:
            out.append(spring)
    return sorted(out, key=lambda w: w.starts_on)


def window_of(day: date) -> Window | None:
    """The 元旦 or 春节 window a day falls in, if any."""
    for window in home_windows(day.year, day.year + 1):
        if window.starts_on <= day <= window.ends_on:
            return window
    return None
