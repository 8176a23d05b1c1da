"""The publication of a source record, for the source app's own page (a permit's page shows whether and when
it
was made public). The portal pulls its sources; the source apps do not import the portal, their templates
ask it
through this tag."""

from django import template

from zhifa.portal.models import Publication

register = template.Library()


@register.simple_tag
def publication_of(record) -> Publication | None:
    """The publication register's row of ``record`` (any source model), or None while it has none."""
    return Publication.objects.filter(
        subject_type=record._meta.label_lower, subject_id=str(record.pk)
    ).first()
