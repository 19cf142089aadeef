import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts import services as accounts_services
from apps.inventory.models import ProductImage
from tests.inventory.factories import make_product

pytestmark = pytest.mark.django_db


def _png(color="red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def manager(client, django_user_model):
    user_id = accounts_services.user_create(
        email="g@example.com", password="x-Clave-123", role="manager"
    )
    client.force_login(django_user_model.objects.get(pk=user_id))
    return client


def test_a_manager_uploads_an_image_and_the_shop_shows_it(manager, client):
    product_id = make_product(name="Cámara Júpiter M10")
    response = manager.post(
        f"/dashboard/catalogo/productos/{product_id}/imagenes/",
        {"image": _png(), "alt_text": "Vista frontal"},
    )
    assert response.status_code == 302
    picture = ProductImage.objects.get()
    assert picture.image.name.endswith(".png") and picture.alt_text == "Vista frontal"
    html = client.get("/producto/camara-jupiter-m10/").content.decode()
    assert picture.image.url in html and 'alt="Vista frontal"' in html


def test_a_file_that_is_not_an_image_is_refused(manager):
    product_id = make_product()
    fake = SimpleUploadedFile("virus.png", b"<script>alert(1)</script>", content_type="image/png")
    response = manager.post(
        f"/dashboard/catalogo/productos/{product_id}/imagenes/", {"image": fake}, follow=True
    )
    assert "no es una imagen válida" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_removing_an_image_deletes_the_file(manager, django_capture_on_commit_callbacks):
    product_id = make_product()
    manager.post(f"/dashboard/catalogo/productos/{product_id}/imagenes/", {"image": _png()})
    picture = ProductImage.objects.get()
    storage, name = picture.image.storage, picture.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/dashboard/catalogo/productos/{product_id}/imagenes/{picture.pk}/eliminar/"
        )
    assert response.status_code == 302
    assert not ProductImage.objects.exists()
    assert not storage.exists(name)


def test_customers_cannot_upload(client, django_user_model):
    product_id = make_product()
    user_id = accounts_services.user_create(email="c@example.com", password="x-Clave-123")
    client.force_login(django_user_model.objects.get(pk=user_id))
    response = client.post(
        f"/dashboard/catalogo/productos/{product_id}/imagenes/", {"image": _png()}
    )
    assert response.status_code == 403
    assert not ProductImage.objects.exists()
