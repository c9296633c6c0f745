"""Running unattended: the APScheduler daemon (schedule.py) and the requests queued for
it (control.py)."""
