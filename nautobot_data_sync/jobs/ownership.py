"""Ownership of the objects a Data Source writes into Nautobot (``sync.ownership``): deletes only of what the job
owns (and, with a grace, of its orphans only once they have been missing long enough), and the owner and last-seen
stamps after each run that writes."""

from bisect import bisect_left
from datetime import datetime, timedelta

from django.db.models import Model
from django.utils import timezone
from django.utils.functional import classproperty

from nautobot_data_sync import app_setting
from nautobot_data_sync.choices import SyncStatusChoices
from nautobot_data_sync.models import Sync
from nautobot_data_sync.sync.ownership import LAST_SEEN, Ownership
from nautobot_data_sync.sync.recorder import RECORDS_DB, iter_elements


class OwnershipSteps:
    """The ownership steps of a DataSyncJob (``self.diff``, the adapters, ``self.recorder``, ``lookup_objects()``)."""

    owner = None
    """The owner stamped on the objects this job writes (default: the job's class path); jobs that share their
    objects may name one owner."""
    delete_only_owned = True
    """Delete only objects this job owns: others are kept and counted as "kept: not owned"."""
    orphan_grace_days = None
    """Keep an owned object the source lacks (an orphan) until it has been missing this many days."""
    orphan_grace_runs = None
    """Keep an orphan until this many runs of the job have found it missing (with ``orphan_grace_days``: both)."""
    track_ownership = True
    """Stamp owner and last seen on the Nautobot objects this job writes or finds in its source."""
    writes_nautobot = False  # a Data Source's target is Nautobot
    _runs_since = None  # start times of this job's runs, read once per run when orphans are kept

    @classproperty
    def owner_name(cls):
        return cls.owner or cls.class_path

    def find_kept(self):
        """``{id(delete element): why}`` for the planned deletes of objects this job does not own."""
        if not (self.writes_nautobot and self.track_ownership and self.delete_only_owned):
            return {}
        by_type = {}
        for element in iter_elements(self.diff):
            if element.action == "delete":
                by_type.setdefault(element.type, []).append(element)
        if not by_type:
            return {}
        ownership = Ownership(self.owner_name)
        kept = {}
        for model_name, elements in by_type.items():
            unique_ids = {id(element): self._unique_id_of(element) for element in elements}
            objects = self.nautobot_objects(model_name, set(unique_ids.values()))
            owners, seen_at = {}, {}
            for model in {model for model, _ in objects.values()}:
                pks = [pk for each, pk in objects.values() if each is model]
                owners.update(ownership.values(model, pks))
                if self.orphan_grace_days or self.orphan_grace_runs:
                    seen_at.update(ownership.values(model, pks, LAST_SEEN))
            for element in elements:
                found = objects.get(unique_ids[id(element)])
                owner = owners.get(found[1]) if found else None
                if found is None:
                    kept[id(element)] = "Kept: its Nautobot object is unknown to the job, so is whether it owns it."
                elif owner != self.owner_name:
                    holder = f"owned by {owner}" if owner else "owned by no sync job (made by hand, or before)"
                    kept[id(element)] = f"Kept: not this job's object, {holder}."
                elif why := self._orphan_grace(seen_at.get(found[1])):
                    kept[id(element)] = why
        return kept

    def _orphan_grace(self, last_seen):
        """Why an owned object the source lacks is kept a while yet (an orphan within its grace), or None."""
        if last_seen is None or not (self.orphan_grace_days or self.orphan_grace_runs):
            return None
        since = datetime.fromisoformat(last_seen)
        days = (timezone.now() - since).total_seconds() / 86400
        if self._runs_since is None:
            self._runs_since = sorted(self._real_runs().values_list("start_time", flat=True))
        # Stamps hold whole seconds and the run that stamped began before its stamp, so within the stamp's second:
        # counted from the next second on, that run never counts (a run in that same second after it would not either,
        # keeping an orphan one run longer rather than deleting it one run early).
        runs = len(self._runs_since) - bisect_left(self._runs_since, since + timedelta(seconds=1))
        if (self.orphan_grace_days and days < self.orphan_grace_days) or (
            self.orphan_grace_runs and runs < self.orphan_grace_runs
        ):
            return (
                f"Kept: an orphan, missing from the source since {since:%Y-%m-%d %H:%M %Z} ({days:.1f} days, "
                f"{runs} runs); deleted once missing {self._grace_text()}."
            )
        return None

    def _real_runs(self):
        """This job's runs that wrote (or would have), the current one included."""
        blocked = (SyncStatusChoices.BLOCKED, SyncStatusChoices.NOT_RUN)
        return Sync.objects.using(RECORDS_DB).filter(job=self.job_model, dry_run=False).exclude(status__in=blocked)

    def _grace_text(self):
        limits = [f"{self.orphan_grace_days} days"] if self.orphan_grace_days else []
        limits += [f"{self.orphan_grace_runs} runs"] if self.orphan_grace_runs else []
        return " and ".join(limits)

    def stamp_ownership(self):
        """Stamp what this run wrote (owner if unowned) and what its source has (last seen, adopted if unowned)."""
        if not (self.writes_nautobot and self.track_ownership):
            return
        ownership = Ownership(self.owner_name, app_setting("last_seen_resolution"))
        seen_recently = self._seen_recently()
        for model_name in self.target_adapter.store.get_all_model_names():
            written = self.recorder.written.get(model_name, set())
            pks = self._declared_pks(model_name, written, seen_recently)
            if pks is not None:
                model, written_pks, seen_pks = pks
                if written_pks or seen_pks:
                    ownership.stamp(model, written=written_pks, seen=seen_pks)
                continue
            seen = written  # after a recent run, only what this one wrote (it is in the source) needs stamps
            if not seen_recently:
                in_source = {model.get_unique_id() for model in self.source_adapter.get_all(model_name)}
                seen = {model.get_unique_id() for model in self.target_adapter.get_all(model_name)} & in_source
            objects = self.nautobot_objects(model_name, seen | written)
            for model in {model for model, _ in objects.values()}:
                ownership.stamp(
                    model,
                    written=[objects[uid][1] for uid in written if uid in objects and objects[uid][0] is model],
                    seen=[objects[uid][1] for uid in seen if uid in objects and objects[uid][0] is model],
                )

    def _declared_pks(self, model_name, written, seen_recently):
        """For a declarative target model, unless a recent run leaves only ``written`` to stamp: ``(Django model, pks
        written, pks seen)``, read from its loaded models one at a time, without a set of every unique id (a sync's
        peak memory is reached here). None otherwise."""
        adapter = self._nautobot_adapter()
        model_class = getattr(adapter, model_name, None) if adapter is self.target_adapter else None
        if seen_recently or not isinstance(model_class, type) or getattr(model_class, "_model", None) is None:
            return None
        written_pks, seen_pks = [], []
        for model in adapter.get_all(model_name):
            if model.pk is None:
                continue
            unique_id = model.get_unique_id()
            if unique_id in written:
                written_pks.append(model.pk)
                seen_pks.append(model.pk)  # what a run writes is in its source
            elif self.source_adapter.get_or_none(model_name, unique_id) is not None:
                seen_pks.append(model.pk)
        return model_class._model, written_pks, seen_pks

    def _seen_recently(self):
        """Whether an earlier run of this job, over all of this run's scope, stamped what it found within
        ``last_seen_resolution``: what this run finds again is stamped owned and seen then, and a stamp younger than
        the resolution is not renewed, so only what this run wrote is stamped (a sync every few minutes reads no
        stamps). An object Nautobot gained and the source too since that run is adopted once the resolution is over."""
        resolution = app_setting("last_seen_resolution")
        if not resolution or self.plan_mode:
            return False
        since = timezone.now() - timedelta(seconds=resolution - 1)  # stamps hold whole seconds
        earlier = (
            self._real_runs()
            .filter(status=SyncStatusChoices.SUCCEEDED, plan__isnull=True, start_time__gt=since)
            .exclude(pk=self.sync.pk)
        )
        scope = self.scope.display()
        return any(covered in ({}, scope) for covered in earlier.values_list("scope", flat=True))

    def nautobot_objects(self, model_name, unique_ids):
        """``{unique_id: (Django model, pk)}`` of the Nautobot objects of ``unique_ids``: from a declarative adapter's
        loaded models (no query), else from ``lookup_objects()``."""
        adapter = self._nautobot_adapter()
        model_class = getattr(adapter, model_name, None) if adapter is not None else None
        if isinstance(model_class, type) and getattr(model_class, "_model", None) is not None:
            found = {}
            for unique_id in unique_ids:
                model = adapter.get_or_none(model_name, unique_id)
                if model is not None and model.pk is not None:
                    found[unique_id] = (model_class._model, model.pk)
            return found
        objects = self.lookup_objects(model_name, list(unique_ids))
        return {uid: (type(obj), obj.pk) for uid, obj in objects.items() if isinstance(obj, Model)}
