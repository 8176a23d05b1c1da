"""Periods and colours the coercion services apply, each with its source. The measure period and its extension are
data per ``MeasureBasis`` (行政强制法 Art. 25 allows a law or regulation to set others); these are the rest."""

from datetime import timedelta

# 行政强制法 Art. 25: 30 days, extendable once by up to 30 days — the defaults of a new MeasureBasis.
DEFAULT_PERIOD_DAYS = 30
DEFAULT_MAX_EXTENSION_DAYS = 30

# 行政强制法 Art. 19: an emergency measure is reported to the head within 24 hours.
EMERGENCY_REPORT = timedelta(hours=24)

# Red/amber/green like the cases app: amber when this many calendar days or fewer remain.
AMBER_DAYS = 3
