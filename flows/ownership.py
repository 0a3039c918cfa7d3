"""One owner for each schedule: `programme deploy` (work-pool deployments, tag
`programme:deployed`) or `programme serve` (deployments served from its process, tag
`programme:served`). Whichever starts pauses the other's deployments, so no plan is tracked
twice a morning by two copies of its schedule, and says so. Pausing (rather than deleting)
keeps the runs' history and is undone by running the other command again. Prefect deletes a
paused deployment's runs scheduled ahead, so nothing the other created is left to run either.
"""

from __future__ import annotations

SERVED, DEPLOYED = "programme:served", "programme:deployed"


async def owned_by(client, tag: str) -> list:
    """The deployments `tag` owns. Served ones registered before the tags existed carry only
    `programme`: any deployment tagged `programme` and not `programme:deployed` is served."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterTags

    if tag == DEPLOYED:
        return await client.read_deployments(deployment_filter=DeploymentFilter(
            tags=DeploymentFilterTags(all_=[DEPLOYED])))
    found = await client.read_deployments(deployment_filter=DeploymentFilter(
        tags=DeploymentFilterTags(all_=["programme"])))
    return [d for d in found if DEPLOYED not in d.tags]


async def names(client, deployments: list) -> dict:
    flows = {f.id: f.name for f in await client.read_flows()}
    return {d.id: f"{flows.get(d.flow_id, '?')}/{d.name}" for d in deployments}


async def pause_owned_by(client, tag: str, dry_run: bool = False) -> list[str]:
    """Pause the deployments tagged `tag` that are not paused yet; their names."""
    live = [d for d in await owned_by(client, tag) if not d.paused]
    named = await names(client, live)
    if not dry_run:
        for d in live:
            await client.pause_deployment(d.id)
    return sorted(named.values())


async def pause_deployed_automations(client) -> list[str]:
    """`programme serve` after `programme deploy`: the deploy's recovery automations off too
    (`programme deploy` turns them on again)."""
    from .recovery import ours

    paused = []
    for automation in await ours(client):
        if automation.enabled:
            await client.pause_automation(automation.id)
            paused.append(automation.name)
    return paused


async def remove_served(client, keep: set[str]) -> list[str]:
    """`programme serve`'s own deployments for plans gone from the folder: deleted."""
    served = await owned_by(client, SERVED)
    named = await names(client, served)
    gone = [d for d in served if d.name not in keep]
    for d in gone:
        await client.delete_deployment(d.id)
    return sorted(named[d.id] for d in gone)


async def take_over_for_serve(keep: set[str]) -> dict[str, list[str]]:
    """Before `programme serve` registers its deployments: `programme deploy`'s paused, with its
    automations; served deployments of removed plans deleted."""
    from prefect import get_client

    async with get_client() as client:
        return {"paused": await pause_owned_by(client, DEPLOYED),
                "automations": await pause_deployed_automations(client),
                "removed": await remove_served(client, keep)}
