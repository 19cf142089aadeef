from .session import badge_count


def cart_badge(request):
    return {"cart_count": badge_count(request)}
