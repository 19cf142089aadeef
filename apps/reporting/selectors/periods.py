"""The date range every dashboard shares: a preset or a custom range of shop-local days,
a comparison period, one filter; parsed from the URL (or the API's query), so a view can
be shared by its address."""

import dataclasses
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.core.bounds import BIGINT_MAX

from ..errors import ReportInputError

PRESETS = {
    "today": _("Hoy"),
    "yesterday": _("Ayer"),
    "7d": _("Últimos 7 días"),
    "30d": _("Últimos 30 días"),
    "this_month": _("Este mes"),
    "last_month": _("El mes pasado"),
    "this_year": _("Este año"),
    "custom": _("Personalizado"),
}
COMPARISONS = {
    "previous": _("Periodo anterior"),
    "year": _("Mismo periodo del año pasado"),
    "none": _("Sin comparación"),
}
GRAINS = {"day": _("Día"), "week": _("Semana"), "month": _("Mes")}
DEFAULT_PRESET = "30d"
MAX_DAYS = 3 * 366  # a custom range spans three years at most
FILTERS = ("category", "brand", "payment_method")
CODE = re.compile(r"^[a-z_]{1,10}$")


def shop_today() -> date:
    """Today in the shop's time zone (where the warehouse cuts its days)."""
    return datetime.now(ZoneInfo(settings.SHOP_TIME_ZONE)).date()


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclasses.dataclass(frozen=True)
class Filters:
    category: int | None = None
    brand: int | None = None
    payment_method: str = ""

    @property
    def active(self) -> tuple[str, str] | None:
        """The one filter set, as (warehouse dimension, member), or None."""
        for name in FILTERS:
            value = getattr(self, name)
            if value not in (None, ""):
                return name, str(value)
        return None


@dataclasses.dataclass(frozen=True)
class Period:
    preset: str
    since: date
    until: date
    compare: str
    compare_since: date | None
    compare_until: date | None
    grain: str
    filters: Filters

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def query(self, **changes) -> dict[str, str]:
        """The URL parameters that give this period back (with ``changes`` applied)."""
        params = {"periodo": self.preset, "comparar": self.compare, "agrupar": self.grain}
        if self.preset == "custom":
            params |= {"desde": self.since.isoformat(), "hasta": self.until.isoformat()}
        for name in FILTERS:
            value = getattr(self.filters, name)
            if value not in (None, ""):
                params[PARAMS[name]] = str(value)
        params |= {k: v for k, v in changes.items() if v is not None}
        return {k: v for k, v in params.items() if v != ""}


# URL parameter names (Spanish, as the pages) for each field.
PARAMS = {"category": "categoria", "brand": "marca", "payment_method": "pago"}


def _preset_range(preset: str, today: date) -> tuple[date, date]:
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if preset == "7d":
        return today - timedelta(days=6), today
    if preset == "30d":
        return today - timedelta(days=29), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today.replace(month=1, day=1), today  # this_year


def _day(value: str, label) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportInputError(
            _("%(field)s no es una fecha válida (AAAA-MM-DD).") % {"field": label}
        ) from None


def _id(value: str, label) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= BIGINT_MAX:
        raise ReportInputError(_("%(field)s no es válido.") % {"field": label})
    return int(value)


def _choice(value: str, choices: Mapping, default: str, label) -> str:
    value = value or default
    if value not in choices:
        raise ReportInputError(_("%(field)s no es válido.") % {"field": label})
    return value


def comparison_range(compare: str, since: date, until: date):
    if compare == "previous":
        length = (until - since).days + 1
        return since - timedelta(days=length), since - timedelta(days=1)
    if compare == "year":
        return year_before(since), year_before(until)
    return None, None


def period_parse(params: Mapping[str, str], *, today: date | None = None) -> Period:
    """A Period from URL parameters (``periodo``, ``desde``, ``hasta``, ``comparar``,
    ``agrupar``, ``categoria``, ``marca``, ``pago``); ReportInputError on bad input."""
    today = today or shop_today()
    get = {key: str(params.get(key) or "").strip()[:40] for key in params}
    preset = get.get("periodo", "") or ("custom" if get.get("desde") else DEFAULT_PRESET)
    preset = _choice(preset, PRESETS, DEFAULT_PRESET, _("El periodo"))
    if preset == "custom":
        if not get.get("desde"):
            raise ReportInputError(_("Indique la fecha de inicio del periodo."))
        since = _day(get["desde"], _("La fecha de inicio"))
        until = _day(get.get("hasta", "") or today.isoformat(), _("La fecha de fin"))
        if since > until:
            raise ReportInputError(_("La fecha de inicio debe ser anterior a la de fin."))
        if (until - since).days >= MAX_DAYS:
            raise ReportInputError(_("El periodo puede abarcar tres años como mucho."))
    else:
        since, until = _preset_range(preset, today)
    compare = _choice(get.get("comparar", ""), COMPARISONS, "previous", _("La comparación"))
    grain = _choice(get.get("agrupar", ""), GRAINS, "day", _("La agrupación"))
    payment = get.get("pago", "")
    if payment and not CODE.match(payment):
        raise ReportInputError(_("%(field)s no es válido.") % {"field": _("La forma de pago")})
    filters = Filters(
        category=_id(get.get("categoria", ""), _("La categoría")),
        brand=_id(get.get("marca", ""), _("La marca")),
        payment_method=payment,
    )
    if sum(getattr(filters, name) not in (None, "") for name in FILTERS) > 1:
        raise ReportInputError(
            _("Filtre por una sola cosa a la vez: categoría, marca o forma de pago.")
        )
    return Period(
        preset, since, until, compare, *comparison_range(compare, since, until), grain, filters
    )
