"""The signed-in user's own account: /api/v1/me and their address book.

Every route answers only about the caller: another customer's address is 404.
Input schemas forbid unknown fields, so ``user_id``, ``is_staff`` and the like
are rejected (422), never applied.
"""

from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from . import selectors, services

customer_router = Router(tags=["accounts"])  # the signed-in customer: mounted with session auth


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str


class AddressBookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    label: str = Field("", max_length=50)
    full_name: str = Field(..., min_length=1, max_length=150)
    line1: str = Field(..., min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    postal_code: str = Field(..., min_length=1, max_length=12)
    city: str = Field(..., min_length=1, max_length=100)
    province: str = Field("", max_length=100)
    country: str = Field("ES", pattern=r"^[A-Za-z]{2}$")
    phone: str = Field("", max_length=30)
    is_default: bool = False


class AddressOut(Schema):
    id: int
    label: str
    full_name: str
    line1: str
    line2: str
    postal_code: str
    city: str
    province: str
    country: str
    phone: str
    is_default: bool


@customer_router.get("", response=MeOut, summary="Mi cuenta")
def me(request):
    return selectors.user_get(user_id=request.auth.pk)


@customer_router.get("/addresses", response=list[AddressOut], summary="Mis direcciones")
def address_list(request):
    return selectors.address_list(user_id=request.auth.pk)


@customer_router.post("/addresses", response={201: AddressOut}, summary="Añadir una dirección")
def address_create(request, payload: AddressBookIn):
    address_id = services.address_create(user_id=request.auth.pk, **payload.model_dump())
    return Status(201, selectors.address_get(user_id=request.auth.pk, address_id=address_id))


@customer_router.get("/addresses/{int:address_id}", response=AddressOut, summary="Una dirección")
def address_detail(request, address_id: int):
    return selectors.address_get(user_id=request.auth.pk, address_id=address_id)


@customer_router.put(
    "/addresses/{int:address_id}", response=AddressOut, summary="Cambiar una dirección"
)
def address_update(request, address_id: int, payload: AddressBookIn):
    services.address_update(user_id=request.auth.pk, address_id=address_id, **payload.model_dump())
    return selectors.address_get(user_id=request.auth.pk, address_id=address_id)


@customer_router.delete(
    "/addresses/{int:address_id}", response={204: None}, summary="Eliminar una dirección"
)
def address_delete(request, address_id: int):
    services.address_delete(user_id=request.auth.pk, address_id=address_id)
    return HttpResponse(status=204)
