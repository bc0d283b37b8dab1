"""A "Data Sync" group in the Jobs menu: dashboard, Data Syncs, changes."""

from nautobot.apps.ui import NavigationIconChoices, NavigationWeightChoices, NavMenuGroup, NavMenuItem, NavMenuTab

menu_items = (
    NavMenuTab(
        name="Jobs",
        icon=NavigationIconChoices.JOBS,
        weight=NavigationWeightChoices.JOBS,
        groups=(
            NavMenuGroup(
                name="Data Sync",
                weight=200,
                items=(
                    NavMenuItem(
                        link="plugins:nautobot_data_sync:dashboard",
                        name="Dashboard",
                        weight=50,
                        permissions=["nautobot_data_sync.view_sync"],
                    ),
                    NavMenuItem(
                        link="plugins:nautobot_data_sync:sync_list",
                        name="Data Syncs",
                        weight=100,
                        permissions=["nautobot_data_sync.view_sync"],
                    ),
                    NavMenuItem(
                        link="plugins:nautobot_data_sync:syncchange_list",
                        name="Changes",
                        weight=200,
                        permissions=["nautobot_data_sync.view_syncchange"],
                    ),
                ),
            ),
        ),
    ),
)
