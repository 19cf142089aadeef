"""What the customer's and the manager's order pages both show."""

from ..models import Order


def status_label(status: str) -> str:
    return Order.Status(status).label if status in Order.Status.values else status


def order_history(order: Order) -> list[dict]:
    """The order's status changes with readable labels (the history rows store codes)."""
    return [
        {
            "at": event.at,
            "from_label": status_label(event.from_status) if event.from_status else "",
            "to_label": status_label(event.to_status),
            "note": event.note,
            "by": event.by,
            "event": event,
        }
        for event in order.history.all()
    ]
