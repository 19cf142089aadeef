import unicodedata


def fold(text: str) -> str:
    """Lower-case without accents: 'Portátil Cámara' -> 'portatil camara' (search matching)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
