"""SMS reminders that bring stalled learners back (issue 19): rules, planning, sending, effect."""
