"""The users source: customers as reports need them — an e-mail hash (normalised first),
the day they joined, the province of their default address, whether active. No names,
phones, addresses, e-mails or secrets reach the warehouse."""

from apps.accounts import selectors as accounts_selectors

from . import clean, dims, quarantine, tables, validate
from .clean import chunked
from .provinces import province_code
from .runner import Context
from .source_sales import batch_size
from .validate import Problem

SOURCE = "users"


def load(ctx: Context) -> None:
    ids = quarantine.open_entity_ids(source=SOURCE, reason=ctx.reason) if ctx.replay else ()
    if ctx.replay and not ids:
        return
    for rows in chunked(accounts_selectors.etl_customers(ids=ids), batch_size()):
        loaded, problems, days = [], [], set()
        for row in rows:
            address = clean.email(row["email"])
            if not address or "@" not in address:
                problems.append(_problem(validate.MISSING_KEY, row))
                continue
            if validate.impossible(row["date_joined"], now=ctx.now):
                problems.append(_problem(validate.IMPOSSIBLE_DATE, row))
                continue
            day = clean.date_key(row["date_joined"])
            days.add(day)
            province = province_code(
                postal_code=row["postal_code"] or "", name=row["province"] or ""
            )
            loaded.append((row["id"], clean.email_hash(address), day, province, row["is_active"]))
        dims.ensure_dates(ctx.writer, days)
        ctx.writer.upsert(tables.CUSTOMER, loaded)
        ctx.quarantined += quarantine.settle(
            run_id=ctx.run_id, source=SOURCE, entity_ids=[r["id"] for r in rows], problems=problems
        )
        ctx.read += len(rows)
        ctx.loaded += len(loaded)
        ctx.tick()


def _problem(reason: str, row: dict) -> Problem:
    # The raw row keeps the e-mail out of the quarantine too: only its id and dates.
    safe = {"id": row["id"], "date_joined": row["date_joined"], "is_active": row["is_active"]}
    return Problem.of(reason, entity="customer", entity_id=row["id"], key=row["id"], row=safe)
