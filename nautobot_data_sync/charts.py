"""ECharts charts (Nautobot's `EChartsBase`) of Data Syncs: phase durations, phase memory, a job's trend."""

from nautobot.apps.ui import EChartsBase, EChartsTypeChoices

from nautobot_data_sync.formatters import dry_run_mark, mib, seconds

TREND_LENGTH = 30


def phase_duration_data(phases):
    """Bar data of the finished phases' durations, in seconds (``phases``: rows of phase_rows())."""
    finished = [phase for phase in phases if phase.duration is not None]
    return {
        "x": [phase.get_name_display() for phase in finished],
        "series": [{"name": "Duration (s)", "data": [seconds(phase.duration) for phase in finished]}],
    }


def phase_memory_data(phases):
    """Bar data of the profiled phases' final and peak memory, in MiB."""
    profiled = [phase for phase in phases if phase.memory_peak is not None]
    return {
        "x": [phase.get_name_display() for phase in profiled],
        "series": [
            {"name": "Final (MiB)", "data": [mib(phase.memory_final) for phase in profiled]},
            {"name": "Peak (MiB)", "data": [mib(phase.memory_peak) for phase in profiled]},
        ],
    }


def sync_label(sync):
    return dry_run_mark(sync, f"{sync.start_time:%Y-%m-%d %H:%M:%S}")


def duration_trend_data(syncs):
    """Line data of the duration of ``syncs`` (oldest first), in seconds."""
    return {
        "x": [sync_label(sync) for sync in syncs],
        "series": [{"name": "Duration (s)", "data": [seconds(sync.duration) for sync in syncs]}],
    }


def change_trend_data(syncs):
    """Stacked bar data of the changes (planned or applied) and failures of ``syncs`` (oldest first)."""
    counts = (("Create", "create_count"), ("Update", "update_count"), ("Delete", "delete_count"))
    return {
        "x": [sync_label(sync) for sync in syncs],
        "series": [
            *({"name": name, "data": [getattr(sync, field) for sync in syncs]} for name, field in counts),
            {"name": "Failed", "data": [sync.failed_count for sync in syncs]},
        ],
    }


def bar_chart(header, y_label):
    """Keyword arguments of an ``EChartsBase`` bar chart over the phases (data given separately)."""
    return {
        "chart_type": EChartsTypeChoices.BAR,
        "header": header,
        "x_label": "",
        "y_label": y_label,
        "renderer": "svg",
        "legend": {"top": "bottom"},
        "additional_config": {"tooltip": {"trigger": "axis"}, "animation": False},
    }


def trend_chart(chart_type, data, y_label, stacked=False):
    """A chart of a job's last syncs (x: their start times)."""
    series_options = [{"stack": "total"} for _series in data["series"]] if stacked else []
    return EChartsBase(
        chart_type=chart_type,
        data=data,
        header="",
        x_label="",
        y_label=y_label,
        renderer="svg",
        legend={"top": "bottom"},
        additional_config={"tooltip": {"trigger": "axis"}, "animation": False, "series": series_options},
    )
