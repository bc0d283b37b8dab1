"""UI components of the Data Sync pages (framework panels and buttons) and the data they display."""

from urllib.parse import urlencode

from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from nautobot.apps.models import RestrictedQuerySet
from nautobot.apps.ui import (
    Button,
    DataTablePanel,
    EChartsPanel,
    KeyValueTablePanel,
    ObjectFieldsPanel,
    ObjectsTablePanel,
    ObjectTextPanel,
    Panel,
    SectionChoices,
)
from nautobot.apps.views import get_obj_from_context
from nautobot.extras.models import Job, JobLogEntry

from nautobot_data_sync.choices import PhaseOutcomeChoices, SyncPhaseChoices, SyncStatusChoices
from nautobot_data_sync.filters import SyncChangeFilterSet
from nautobot_data_sync.formatters import changed_object_link, count_badge
from nautobot_data_sync.models import SyncChange, SyncPhase
from nautobot_data_sync.tables import PhaseProfileTable

VIEW_CHANGES = "nautobot_data_sync.view_syncchange"

# Filters of the Changes tab; any other query parameter (page, per_page, sort) is left to the table.
CHANGE_TAB_FILTERS = ("model_name", "action", "status", "q", "shard")


class SyncNotePanel(Panel):
    """A note on a sync, shown only when ``applies(sync)``: that a dry-run wrote nothing, that a sync still runs..."""

    applies = None

    def should_render(self, context):
        obj = get_obj_from_context(context)
        return super().should_render(context) and obj is not None and self.applies(obj)


class SyncCountsPanel(ObjectFieldsPanel):
    """The counts of a Sync, each linked to the matching changes on its Changes tab (if the user may see them)."""

    def render_value(self, key, value, context):
        linked = context["request"].user.has_perm(VIEW_CHANGES)
        return count_badge(get_obj_from_context(context), key, value, tab=True, link=linked)


class ScopePanel(KeyValueTablePanel):
    """What a scoped sync was narrowed to (``Sync.scope``: input label -> chosen value or values); hidden when the
    sync was not scoped."""

    def get_data(self, context):
        return getattr(get_obj_from_context(context), "scope", None) or {}

    def render_value(self, key, value, context):
        return ", ".join(value) if isinstance(value, list) else value


class CountsByModelPanel(DataTablePanel):
    """Counts per diffsync model, hidden when the sync recorded none."""

    def should_render(self, context):
        return super().should_render(context) and bool(context.get(self.context_data_key))


class MemoryPanel(ObjectsTablePanel):
    """The "Memory Usage Stats" table, with a note under it when memory was not profiled."""

    def render_footer_content(self, context):
        footer = super().render_footer_content(context)
        if not context.get("memory_profiled"):
            footer += render_to_string("nautobot_data_sync/inc/memory_not_profiled.html")
        return footer


class PhaseProfilePanel(ObjectsTablePanel):
    """The CPU profile of one phase (its top functions), shown only when that phase was profiled."""

    def should_render(self, context):
        return super().should_render(context) and context.get(self.context_table_key) is not None


def phase_profile_panels(weight):
    """One PhaseProfilePanel per phase, full width from ``weight`` on, each showing the table that
    ``phase_profile_tables()`` put in the context for it."""
    return tuple(
        PhaseProfilePanel(
            section=SectionChoices.FULL_WIDTH,
            weight=weight + index,
            context_table_key=f"profile_table_{name}",
            table_title=f"CPU profile: {label}",
            enable_related_link=False,
            add_button_route=None,
            paginate=False,
            show_table_config_button=False,
        )
        for index, (name, label) in enumerate(SyncPhaseChoices.CHOICES)
    )


def phase_profile_tables(phases, user):
    """The render context of ``phase_profile_panels()``: a PhaseProfileTable for each profiled phase."""
    return {f"profile_table_{phase.name}": PhaseProfileTable(phase, user=user) for phase in phases if phase.profile}


class ChartPanel(EChartsPanel):
    """An ECharts panel whose data is in the render context under ``data_key``; hidden when it has none."""

    def __init__(self, *, data_key, chart_kwargs, **kwargs):
        self.data_key = data_key
        super().__init__(chart_kwargs={**chart_kwargs, "data": lambda context: context.get(data_key)}, **kwargs)

    def should_render(self, context):
        data = context.get(self.data_key) or {}
        return super().should_render(context) and bool(data.get("x"))


class CollapsedTextPanel(ObjectTextPanel):
    """An ``ObjectTextPanel`` shown collapsed until its header is clicked (Nautobot 3.1 has no collapsed panels and
    shows it expanded)."""

    collapsed = True


class ChangeFilterPanel(Panel):
    """The filter form of the Changes tab (model, action, status, free-text search)."""

    body_content_template_path = "nautobot_data_sync/inc/change_filter_form.html"


class CountOnceQuerySet(RestrictedQuerySet):
    """Counts once: the panel counts its rows twice (paginator, "more" link), each a scan of up to millions."""

    def count(self):
        if not hasattr(self, "_counted"):
            self._counted = super().count()
        return self._counted


class QuerysetTablePanel(ObjectsTablePanel):
    """An ``ObjectsTablePanel`` whose rows are ``get_table_data_queryset()``: Nautobot 3.2 asks that method, 3.1 reads
    the rows from the object's attribute ``table_attribute``, which ``get_extra_context()`` sets to its answer."""

    table_attribute = "_panel_rows"

    def get_extra_context(self, context):
        instance = get_obj_from_context(context)
        setattr(instance, self.table_attribute, self.get_table_data_queryset(instance, context["request"]))
        return super().get_extra_context(context)

    def get_table_data_queryset(self, instance, request):
        raise NotImplementedError


class SyncChangesPanel(QuerysetTablePanel):
    """One page of a sync's changes, filtered by the Changes tab's form, never all of them."""

    def get_table_data_queryset(self, instance, request):
        data = QueryDict(mutable=True)
        for name in CHANGE_TAB_FILTERS:
            values = [value for value in request.GET.getlist(name) if value]
            if values:
                data.setlist(name, values)
        changes = CountOnceQuerySet(model=SyncChange).filter(sync=instance)
        return SyncChangeFilterSet(data, queryset=changes).qs

    def get_extra_context(self, context):
        extra = super().get_extra_context(context)
        if getattr(get_obj_from_context(context), "dry_run", False):
            extra["body_content_table_verbose_name_plural"] = "planned changes"
        return extra


class JobLogsPanel(QuerysetTablePanel):
    """The log of the sync's JobResult, paginated."""

    related_field_name = "job_result"  # required with table_attribute; no add button or list link uses it here

    def get_table_data_queryset(self, instance, request):
        return JobLogEntry.objects.filter(job_result_id=instance.job_result_id)


class LinkButton(Button):
    """A button shown only when ``get_link()`` finds something to link to."""

    def should_render(self, context):
        return super().should_render(context) and self.get_link(context) is not None


class SyncJobPageButton(LinkButton):
    """Link from a Data Sync to the page of its Data Source / Data Target job."""

    def get_link(self, context):
        obj = get_obj_from_context(context)
        if obj is None or obj.job_id is None:
            return None
        return reverse("plugins:nautobot_data_sync:syncjob", kwargs={"pk": obj.job_id})


class RunAllowingDeletesButton(LinkButton):
    """On a sync the delete guard blocked: the job's run form, filled in as that run was, with deletes allowed; shown
    to users who may run the job."""

    def get_link(self, context):
        sync = get_obj_from_context(context)
        if sync is None or sync.status != SyncStatusChoices.BLOCKED or sync.job_id is None:
            return None
        runnable = Job.objects.restrict(context["request"].user, "run").filter(pk=sync.job_id, enabled=True)
        if not runnable.exists():
            return None
        query = urlencode({"kwargs_from_job_result": sync.job_result_id or "", "allow_deletes": "True"})
        return f"{reverse('extras:job_run', kwargs={'pk': sync.job_id})}?{query}"


class PlanJobButton(LinkButton):
    """The run form of the app's plan job ``job_class_name``, with this sync as its ``input_name``; shown when
    ``applies(sync)``, to users who may run both that job and the sync's own job."""

    job_class_name = input_name = None

    @staticmethod
    def applies(sync):
        raise NotImplementedError

    def get_link(self, context):
        sync = get_obj_from_context(context)
        if sync is None or sync.job_id is None or not self.applies(sync):
            return None
        runnable = Job.objects.restrict(context["request"].user, "run").filter(enabled=True)
        plan_job = runnable.filter(module_name="nautobot_data_sync.jobs.planjobs", job_class_name=self.job_class_name)
        plan_job = plan_job.first()
        if plan_job is None or not runnable.filter(pk=sync.job_id).exists():
            return None
        return f"{reverse('extras:job_run', kwargs={'pk': plan_job.pk})}?{urlencode({self.input_name: sync.pk})}"


class ApplyPlanButton(PlanJobButton):
    """On a completed dry-run not applied yet: apply it, as reviewed."""

    job_class_name, input_name = "ApplyPlan", "plan"

    @staticmethod
    def applies(sync):
        return sync.dry_run and sync.status == SyncStatusChoices.SUCCEEDED and sync.application() is None


class RevertSyncButton(PlanJobButton):
    """On a sync that wrote something: record its undo as a plan."""

    job_class_name, input_name = "RevertSync", "data_sync"

    @staticmethod
    def applies(sync):
        wrote = sync.create_count or sync.update_count or sync.delete_count
        return not sync.dry_run and sync.status != SyncStatusChoices.RUNNING and bool(wrote)


def phase_rows(sync, phases):
    """One SyncPhase per phase of a sync, in order; phases that did not run are unsaved placeholders.

    Each row gets its ``outcome`` (a PhaseOutcomeChoices value): succeeded, failed, running (not finished yet),
    dry_run (sync phase of a dry-run) or not_run (an earlier phase failed).
    """
    by_name = {phase.name: phase for phase in phases}
    rows = []
    for name in SyncPhaseChoices.values():
        phase = by_name.get(name)
        if phase is not None:
            phase.outcome = PhaseOutcomeChoices.SUCCEEDED if phase.succeeded else PhaseOutcomeChoices.FAILED
        else:
            phase = SyncPhase(sync=sync, name=name)
            if sync.status == SyncStatusChoices.RUNNING:
                phase.outcome = PhaseOutcomeChoices.RUNNING
            elif sync.dry_run and name == SyncPhaseChoices.SYNC:
                phase.outcome = PhaseOutcomeChoices.DRY_RUN
            else:
                phase.outcome = PhaseOutcomeChoices.NOT_RUN
        rows.append(phase)
    return rows


class ChangeFieldsPanel(ObjectFieldsPanel):
    """Fields of one change; the object link falls back to the recorded text when the object is gone."""

    def render_value(self, key, value, context):
        if key == "changed_object":
            return changed_object_link(get_obj_from_context(context), current_name=True)
        return super().render_value(key, value, context)
