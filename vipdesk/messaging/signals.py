"""Signals other apps listen to, so messaging does not import them.

`message_settled(message, status)`: an outbox message reached an end state — sent, delivered,
failed or suppressed. Care marks the task that asked for it (source "care_task:<id>") done."""
from django.dispatch import Signal

message_settled = Signal()
