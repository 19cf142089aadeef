"""Spanish provinces (INE codes). A Spanish postal code starts with its province's code, so
the code comes from the postal code first and from the province's name otherwise."""

import unicodedata

UNKNOWN = "00"
ABROAD = "99"

PROVINCES = {
    "01": "Araba/Álava", "02": "Albacete", "03": "Alicante/Alacant", "04": "Almería",
    "05": "Ávila", "06": "Badajoz", "07": "Illes Balears", "08": "Barcelona", "09": "Burgos",
    "10": "Cáceres", "11": "Cádiz", "12": "Castellón/Castelló", "13": "Ciudad Real",
    "14": "Córdoba", "15": "A Coruña", "16": "Cuenca", "17": "Girona", "18": "Granada",
    "19": "Guadalajara", "20": "Gipuzkoa", "21": "Huelva", "22": "Huesca", "23": "Jaén",
    "24": "León", "25": "Lleida", "26": "La Rioja", "27": "Lugo", "28": "Madrid",
    "29": "Málaga", "30": "Murcia", "31": "Navarra", "32": "Ourense", "33": "Asturias",
    "34": "Palencia", "35": "Las Palmas", "36": "Pontevedra", "37": "Salamanca",
    "38": "Santa Cruz de Tenerife", "39": "Cantabria", "40": "Segovia", "41": "Sevilla",
    "42": "Soria", "43": "Tarragona", "44": "Teruel", "45": "Toledo", "46": "Valencia/València",
    "47": "Valladolid", "48": "Bizkaia", "49": "Zamora", "50": "Zaragoza", "51": "Ceuta",
    "52": "Melilla", UNKNOWN: "Desconocida", ABROAD: "Extranjero",
}  # fmt: skip

_ALIASES = {
    "alava": "01", "alicante": "03", "alacant": "03", "baleares": "07", "islas baleares": "07",
    "balears": "07", "castellon": "12", "castello": "12", "la coruna": "15", "coruna": "15",
    "guipuzcoa": "20", "rioja": "26", "orense": "32", "principado de asturias": "33",
    "tenerife": "38", "valencia": "46", "vizcaya": "48", "gerona": "17", "lerida": "25",
    "navarra": "31", "nafarroa": "31", "palmas": "35", "gran canaria": "35",
}  # fmt: skip


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(char for char in value if not unicodedata.combining(char))
    return " ".join(value.lower().replace("-", " ").split())


def _by_name() -> dict[str, str]:
    names = dict(_ALIASES)
    for code, name in PROVINCES.items():
        for part in name.split("/"):
            names.setdefault(_fold(part), code)
    return names


_NAMES = _by_name()


def province_code(*, postal_code: str = "", name: str = "", country: str = "ES") -> str:
    """The INE code of a shipping address's province; ``00`` when it cannot be told."""
    if (country or "ES").strip().upper() != "ES":
        return ABROAD
    digits = (postal_code or "").strip()
    if len(digits) == 5 and digits.isdigit() and "01" <= digits[:2] <= "52":
        return digits[:2]
    return _NAMES.get(_fold(name), UNKNOWN)
