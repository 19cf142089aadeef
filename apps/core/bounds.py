"""What an integer column holds, and the typed API inputs bounded by it.

An integer past its column reaches the database and fails there (PostgreSQL: "integer out of
range", a 500). Every integer input is bounded where it enters (forms, API schemas) and again
in the service (the last guard); business limits, tighter than the column, live with the app
that owns them.
"""

from typing import Annotated

from pydantic import Field

INT32_MAX = 2_147_483_647  # IntegerField, PositiveIntegerField
BIGINT_MAX = 9_223_372_036_854_775_807  # BigAutoField primary keys, PositiveBigIntegerField

# An id of a row (any model: the primary keys are BigAutoField).
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]


def within(value: int, *, minimum: int, maximum: int) -> bool:
    return minimum <= value <= maximum
