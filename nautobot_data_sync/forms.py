"""Filter forms of the Data Sync list views (the records are read-only: there are no edit forms)."""

from django import forms
from nautobot.apps.forms import (
    BootstrapMixin,
    DateTimePicker,
    DynamicModelMultipleChoiceField,
    MultiValueCharField,
    StaticSelect2,
    StaticSelect2Multiple,
)
from nautobot.core.forms import BOOLEAN_WITH_BLANK_CHOICES  # not in nautobot.apps before Nautobot 3.2
from nautobot.extras.models import Job

from nautobot_data_sync.choices import ChangeActionChoices, ChangeStatusChoices, SyncStatusChoices
from nautobot_data_sync.models import Sync, SyncChange


class SyncFilterForm(BootstrapMixin, forms.Form):
    """Filters of the Data Sync list."""

    model = Sync
    q = forms.CharField(required=False, label="Search")
    job = DynamicModelMultipleChoiceField(
        queryset=Job.objects.all(),
        to_field_name="name",
        required=False,
        label="Job",
    )
    source = MultiValueCharField(required=False)
    target = MultiValueCharField(required=False)
    status = forms.MultipleChoiceField(choices=SyncStatusChoices, required=False, widget=StaticSelect2Multiple())
    dry_run = forms.NullBooleanField(
        required=False,
        label="Dry run",
        widget=StaticSelect2(choices=BOOLEAN_WITH_BLANK_CHOICES),
    )
    start_time__gte = forms.DateTimeField(label="Started after", required=False, widget=DateTimePicker())
    start_time__lte = forms.DateTimeField(label="Started before", required=False, widget=DateTimePicker())


class SyncChangeFilterForm(BootstrapMixin, forms.Form):
    """Filters of the change list."""

    model = SyncChange
    q = forms.CharField(required=False, label="Search", help_text="Unique ID or object")
    sync = DynamicModelMultipleChoiceField(queryset=Sync.objects.all(), required=False, label="Data Sync")
    model_name = MultiValueCharField(required=False, label="Model")
    action = forms.MultipleChoiceField(choices=ChangeActionChoices, required=False, widget=StaticSelect2Multiple())
    status = forms.MultipleChoiceField(choices=ChangeStatusChoices, required=False, widget=StaticSelect2Multiple())


class SyncChangeTabFilterForm(BootstrapMixin, forms.Form):
    """Filters of the Changes tab of one Data Sync: its models (from its counts), action, status and search."""

    model_name = forms.MultipleChoiceField(required=False, label="Model", widget=StaticSelect2Multiple())
    action = forms.MultipleChoiceField(choices=ChangeActionChoices, required=False, widget=StaticSelect2Multiple())
    status = forms.MultipleChoiceField(choices=ChangeStatusChoices, required=False, widget=StaticSelect2Multiple())
    q = forms.CharField(required=False, label="Search", help_text="Unique ID or object")

    def __init__(self, *args, model_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_name"].choices = [(name, name) for name in model_names]
