"""Monitoring's verbs, one module per subject; the only code that changes monitoring's tables.

- ``alerts``: the alert lifecycle (``transition_alert``; the inspectors' acknowledge / resolve /
  dismiss), ``raise_alert`` (anomaly rules, the stale-sweep alarm) and the words of timer alerts.
- ``timers``: start / pause / resume / reschedule / stop a time limit, the bulk import of past timers.
- ``sweep``: the beat sweep that raises each due reminder and overdue alarm exactly once.
- ``supervision``: supervision notices (督办) and accountability records (问责).

Other apps do not import this package: they use monitoring's published doors, ``monitoring.timers``,
``monitoring.alerts`` and ``monitoring.rules``, which name what they may call (re-exported from here,
not copied) beside their plain read functions. Monitoring's own pages, API, admin, tasks and demo
call these modules directly.
"""
