"""Whether a test used the database (marker or fixture): the invariant checks run only then."""


def uses_database(request) -> bool:
    if request.node.get_closest_marker("django_db"):
        return True
    return bool({"db", "transactional_db", "django_db_setup"} & set(request.fixturenames))
