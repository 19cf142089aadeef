"""The demo catalogue: a believable Spanish electronics shop, generated deterministically.

Each subcategory has model lines (brand, series, price band, specifications and
variant axes); ``products(n)`` walks them to make as many products as asked,
from the 200+ of ``make run`` to the 100,000 of a benchmark.
"""

import itertools
import random
from decimal import Decimal

from apps.core.money import money

# (top category, icon, [(subcategory, icon, kind)])
CATEGORIES = [
    (
        "Informática",
        "laptop",
        [
            ("Portátiles", "laptop", "laptop"),
            ("Sobremesa", "pc-display", "desktop"),
            ("Monitores", "display", "monitor"),
            ("Almacenamiento", "device-hdd", "storage"),
        ],
    ),
    (
        "Móviles y tablets",
        "phone",
        [
            ("Smartphones", "phone", "phone"),
            ("Tablets", "tablet", "tablet"),
            ("Smartwatches", "smartwatch", "watch"),
        ],
    ),
    (
        "Televisión",
        "tv",
        [("Televisores", "tv", "tv"), ("Barras de sonido", "speaker", "soundbar")],
    ),
    (
        "Sonido",
        "headphones",
        [("Auriculares", "headphones", "headphones"), ("Altavoces", "speaker", "speaker")],
    ),
    ("Fotografía", "camera", [("Cámaras", "camera", "camera"), ("Objetivos", "camera2", "lens")]),
    (
        "Gaming",
        "controller",
        [("Consolas", "controller", "console"), ("Mandos y accesorios", "joystick", "gamepad")],
    ),
    (
        "Hogar inteligente",
        "house-gear",
        [("Iluminación", "lightbulb", "bulb"), ("Seguridad", "camera-video", "cam")],
    ),
    (
        "Componentes",
        "cpu",
        [
            ("Procesadores", "cpu", "cpu"),
            ("Tarjetas gráficas", "gpu-card", "gpu"),
            ("Memoria RAM", "memory", "ram"),
        ],
    ),
    (
        "Accesorios",
        "usb-plug",
        [
            ("Cables y cargadores", "usb-plug", "cable"),
            ("Teclados y ratones", "keyboard", "keyboard"),
        ],
    ),
]

# What English visitors read (Category.name_en); brands and product names are proper names.
CATEGORY_NAMES_EN = {
    "Informática": "Computing",
    "Portátiles": "Laptops",
    "Sobremesa": "Desktops",
    "Monitores": "Monitors",
    "Almacenamiento": "Storage",
    "Móviles y tablets": "Phones and tablets",
    "Smartphones": "Smartphones",
    "Tablets": "Tablets",
    "Smartwatches": "Smartwatches",
    "Televisión": "TV",
    "Televisores": "Televisions",
    "Barras de sonido": "Soundbars",
    "Sonido": "Audio",
    "Auriculares": "Headphones",
    "Altavoces": "Speakers",
    "Fotografía": "Photography",
    "Cámaras": "Cameras",
    "Objetivos": "Lenses",
    "Gaming": "Gaming",
    "Consolas": "Consoles",
    "Mandos y accesorios": "Controllers and accessories",
    "Hogar inteligente": "Smart home",
    "Iluminación": "Lighting",
    "Seguridad": "Security",
    "Componentes": "Components",
    "Procesadores": "Processors",
    "Tarjetas gráficas": "Graphics cards",
    "Memoria RAM": "RAM",
    "Accesorios": "Accessories",
    "Cables y cargadores": "Cables and chargers",
    "Teclados y ratones": "Keyboards and mice",
}

BRANDS = [
    "Astra",
    "Boreal",
    "Cénit",
    "Dínamo",
    "Eclipse",
    "Fénix",
    "Galena",
    "Helio",
    "Íbice",
    "Júpiter",
    "Kappa",
    "Lumen",
]

# kind -> (name pattern, series, price band €, spec builder, variant axes)
LINES = {
    "laptop": (
        'Portátil {brand} {series} {size}"',
        ["Air", "Pro", "Book", "Studio", "Flex"],
        (499, 2199),
    ),
    "desktop": (
        "Ordenador {brand} {series} Tower",
        ["Home", "Creator", "Office", "Gamer"],
        (449, 2499),
    ),
    "monitor": ('Monitor {brand} {series} {size}"', ["View", "Pro", "Curve", "Gaming"], (119, 899)),
    "storage": ("SSD {brand} {series}", ["Rapid", "NVMe", "Portable", "Max"], (39, 329)),
    "phone": ("{brand} {series} 5G", ["One", "Neo", "Ultra", "Lite", "Max"], (149, 1399)),
    "tablet": ('Tablet {brand} {series} {size}"', ["Tab", "Pad", "Note"], (129, 1099)),
    "watch": ("Smartwatch {brand} {series}", ["Fit", "Active", "Sport", "Classic"], (59, 449)),
    "tv": (
        'Televisor {brand} {series} {size}" 4K',
        ["QLED", "OLED", "LED", "Mini LED"],
        (299, 2999),
    ),
    "soundbar": ("Barra de sonido {brand} {series}", ["Cine", "Atmos", "Compact"], (89, 899)),
    "headphones": ("Auriculares {brand} {series}", ["Buds", "Studio", "Sport", "NC"], (19, 399)),
    "speaker": ("Altavoz {brand} {series}", ["Go", "Boom", "Home", "Party"], (25, 499)),
    "camera": ("Cámara {brand} {series}", ["M10", "Z5", "X100", "R8"], (399, 2799)),
    "lens": (
        "Objetivo {brand} {series}",
        ["35mm f/1.8", "50mm f/1.4", "24-70mm f/2.8", "70-200mm f/4"],
        (149, 1899),
    ),
    "console": ("Consola {brand} {series}", ["Play", "Go", "Arena"], (249, 599)),
    "gamepad": ("Mando {brand} {series}", ["Pro", "Elite", "Wireless"], (29, 179)),
    "bulb": ("Bombilla inteligente {brand} {series}", ["Color", "White", "Filament"], (9, 49)),
    "cam": ("Cámara de seguridad {brand} {series}", ["Indoor", "Outdoor", "Doorbell"], (29, 249)),
    "cpu": ("Procesador {brand} {series}", ["R5", "R7", "R9", "i5", "i7"], (129, 699)),
    "gpu": ("Tarjeta gráfica {brand} {series}", ["4060", "4070", "7800", "7900"], (299, 1799)),
    "ram": ("Memoria {brand} {series}", ["DDR5 Kit", "DDR4 Kit", "Pro Kit"], (39, 329)),
    "cable": (
        "Cargador {brand} {series}",
        ["USB-C 65W", "GaN 100W", "Inalámbrico 15W", "Coche 45W"],
        (9, 79),
    ),
    "keyboard": ("Teclado {brand} {series}", ["Mecánico", "Slim", "Gaming", "Ergo"], (19, 219)),
}

SIZES = {
    "laptop": [13, 14, 15.6, 16],
    "monitor": [24, 27, 32, 34],
    "tablet": [8, 10.9, 11, 12.9],
    "tv": [43, 50, 55, 65, 75],
}

WEIGHTS = {
    "phone": (0.15, 0.24),
    "watch": (0.03, 0.07),
    "laptop": (1.1, 2.4),
    "tv": (7.5, 28.0),
    "monitor": (3.0, 8.0),
    "tablet": (0.3, 0.7),
    "headphones": (0.03, 0.35),
    "cable": (0.05, 0.25),
    "bulb": (0.05, 0.1),
}

VARIANTS = {
    "phone": ("Capacidad", ["128 GB", "256 GB", "512 GB"], ("Color", ["Negro", "Azul", "Plata"])),
    "tablet": ("Capacidad", ["64 GB", "128 GB", "256 GB"], None),
    "laptop": ("Memoria", ["8 GB", "16 GB", "32 GB"], None),
    "watch": ("Color", ["Negro", "Blanco", "Verde"], None),
    "headphones": ("Color", ["Negro", "Blanco"], None),
    "storage": ("Capacidad", ["500 GB", "1 TB", "2 TB"], None),
    "ram": ("Capacidad", ["16 GB", "32 GB", "64 GB"], None),
}


def _specs(kind: str, rng: random.Random, size) -> list[list[str]]:
    low, high = WEIGHTS.get(kind, (0.2, 3.0))
    common = [
        ["Garantía", "3 años"],
        ["Peso", f"{rng.uniform(low, high):.2f} kg".replace(".", ",")],
    ]
    specific = {
        "laptop": [
            ["Pantalla", f'{size}" IPS Full HD'],
            ["Procesador", rng.choice(["Ryzen 5", "Ryzen 7", "Core i5", "Core i7"])],
            ["Almacenamiento", rng.choice(["512 GB SSD", "1 TB SSD"])],
            ["Autonomía", f"{rng.randint(8, 18)} h"],
        ],
        "phone": [
            ["Pantalla", f'{rng.choice(["6,1", "6,4", "6,7"])}" OLED'],
            ["Cámara", f"{rng.choice([48, 50, 108, 200])} MP"],
            ["Batería", f"{rng.randint(4000, 5500)} mAh"],
        ],
        "tv": [
            ["Pantalla", f'{size}" 4K UHD'],
            ["Sistema", rng.choice(["Android TV", "Tizen", "webOS"])],
            ["HDR", "HDR10+, Dolby Vision"],
        ],
        "monitor": [
            ["Tamaño", f'{size}"'],
            ["Frecuencia", f"{rng.choice([75, 144, 165, 240])} Hz"],
            ["Panel", rng.choice(["IPS", "VA", "OLED"])],
        ],
        "headphones": [
            ["Cancelación de ruido", rng.choice(["Sí", "No"])],
            ["Autonomía", f"{rng.randint(6, 40)} h"],
            ["Conexión", "Bluetooth 5.3"],
        ],
    }.get(
        kind,
        [
            ["Conectividad", rng.choice(["Wi-Fi", "Bluetooth", "USB-C", "Wi-Fi 6E"])],
            ["Color", rng.choice(["Negro", "Blanco", "Gris"])],
        ],
    )
    return specific + common


def products(count: int, seed: int = 42):
    """Yield ``count`` product dicts: category slug path, brand, name, specs, variants."""
    rng = random.Random(seed)  # noqa: S311  (repeatable demo data, not security)
    subcategories = [(top, sub, kind) for top, _, subs in CATEGORIES for sub, _, kind in subs]
    made = 0
    for round_number in itertools.count(1):
        for top, sub, kind in subcategories:
            if made >= count:
                return
            pattern, series_list, (low, high) = LINES[kind]
            brand = rng.choice(BRANDS)
            series = rng.choice(series_list)
            size = rng.choice(SIZES.get(kind, [None]))
            name = pattern.format(brand=brand, series=series, size=str(size).replace(".", ","))
            if round_number > 1:
                name = (
                    f"{name} ({2018 + round_number})"
                    if round_number <= 7
                    else f"{name} Gen {round_number}"
                )
            base = Decimal(rng.randint(low, high)) - Decimal("0.01")
            axes = VARIANTS.get(kind)
            variants = []
            if axes and rng.random() < 0.7:
                axis, values, second = axes
                combos = [{axis: v} for v in values]
                if second:
                    combos = [{**c, second[0]: s} for c in combos for s in second[1][:2]]
                for step, options in enumerate(combos):
                    variants.append(
                        {
                            "options": options,
                            "price": base + Decimal(60 * (step // (2 if second else 1))),
                        }
                    )
            else:
                variants.append({"options": {}, "price": base})
            for variant in variants:
                variant["cost"] = money(variant["price"] * Decimal("0.68"))
                variant["stock"] = rng.choice([0, 2, 4, 8, 15, 25, 40, 60])
            made += 1
            yield {
                "number": made,
                "top": top,
                "category": sub,
                "brand": brand,
                "name": name,
                "description": f"{name}: {sub.lower()} de {brand} con la calidad de siempre. Envío en 24/48 h y 3 años de garantía.",
                "specifications": _specs(kind, rng, size),
                "featured": rng.random() < 0.06,
                "variants": variants,
            }


# Demo customers: (first name, last name, city, postal code).
CUSTOMERS = [
    ("Lucía", "García", "Madrid", "28004"),
    ("Hugo", "Fernández", "Barcelona", "08012"),
    ("Martina", "López", "Valencia", "46002"),
    ("Mateo", "Sánchez", "Sevilla", "41001"),
    ("Sofía", "Pérez", "Zaragoza", "50001"),
    ("Leo", "Gómez", "Málaga", "29005"),
    ("Julia", "Martín", "Bilbao", "48001"),
    ("Daniel", "Jiménez", "Valladolid", "47002"),
    ("Paula", "Ruiz", "Palma", "07001"),
    ("Álvaro", "Hernández", "Murcia", "30001"),
    ("Valeria", "Díaz", "Alicante", "03001"),
    ("Pablo", "Moreno", "Granada", "18001"),
    ("Emma", "Muñoz", "Oviedo", "33003"),
    ("Manuel", "Álvarez", "Santander", "39001"),
    ("Carla", "Romero", "Pamplona", "31001"),
    ("Adrián", "Navarro", "A Coruña", "15001"),
    ("Alba", "Torres", "Salamanca", "37001"),
    ("Diego", "Domínguez", "Córdoba", "14001"),
    ("Noa", "Vázquez", "Vigo", "36201"),
    ("Mario", "Ramos", "Cádiz", "11001"),
]
STREETS = ["Mayor", "Real", "del Sol", "Gran Vía", "de la Paz", "San Juan", "Nueva", "del Carmen"]

# (code, kind, value, other fields)
COUPONS = [
    ("BIENVENIDA10", "percentage", "10", {"name": "Bienvenida", "first_order_only": True}),
    ("ENVIOGRATIS", "free_shipping", "0", {"name": "Envío gratis", "minimum_subtotal": "30"}),
    (
        "VERANO15",
        "percentage",
        "15",
        {"name": "Verano", "max_uses": 40, "max_uses_per_customer": 1},
    ),
    ("DESCUENTO20", "fixed", "20", {"name": "20 € de descuento", "minimum_subtotal": "150"}),
]
