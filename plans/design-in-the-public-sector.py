"""Westhaven's place on the Design in the Public Sector programme (Design Council with the LGA).

A core team led by the chief executive and the cabinet member takes one real challenge, here
preventing homelessness among private renters, through the design process with a Design Council
coach. The kick-off workshop runs on two fixed days; the council writes a joint blog post with
the Design Council and the LGA, and publishes its reflections openly as the programme goes.
"""

from programme.planfiles.authoring import Plan

plan = Plan(
    id="design-in-the-public-sector",
    title="Design in the Public Sector: preventing homelessness among private renters",
    kind="programme",
    description=(
        "Use design methods to understand why private renters reach the council only when "
        "eviction is days away, test earlier help with residents and landlords, and build the "
        "council's own design capability."
    ),
    lead="kate-morgan",
    sponsor="simon-hall",
    start="2026-10-12",
    end="2027-04-30",
    timezone="Europe/London",
    calendar={"region": "england-and-wales", "closures": ["2026-12-29", "2026-12-30", "2026-12-31"]},
    subscribers=["simon-hall", "cllr-rebecca-stone", "andrew-cole", "joe-whitmore"],
    reminders={"before": [5, 1, 0], "escalate_to_manager_after": 3,
               "escalate_to_sponsor_after": 10, "window": "09:00-16:30"},
)

# -- people: the core team, the design team, and the programme partners ---------------------------
plan.person("kate-morgan", "Kate Morgan", role="Transformation Manager (programme lead)",
            contacts=["kate.morgan@example.gov.uk"], manager="andrew-cole")
plan.person("andrew-cole", "Andrew Cole", role="Assistant Director, Transformation and Customer",
            contacts=["andrew.cole@example.gov.uk"], manager="simon-hall")
plan.person("simon-hall", "Simon Hall", role="Chief Executive (core team)",
            contacts=["simon.hall@example.gov.uk"])
plan.person("cllr-rebecca-stone", "Cllr Rebecca Stone",
            role="Cabinet Member for Housing and Communities (core team)",
            contacts=["cllr.rebecca.stone@example.gov.uk"])
plan.person("mark-benson", "Mark Benson", role="Head of Housing and Communities",
            contacts=["mark.benson@example.gov.uk"], manager="simon-hall")
plan.person("lisa-grant", "Lisa Grant", role="Service Manager, Housing Options (challenge owner)",
            contacts=["lisa.grant@example.gov.uk"], manager="mark-benson")
plan.person("ravi-patel", "Ravi Patel", role="Housing Options Officer (design team)",
            contacts=["ravi.patel@example.gov.uk"], manager="lisa-grant")
plan.person("hollie-young", "Hollie Young", role="Communications and Engagement Officer",
            contacts=["hollie.young@example.gov.uk"], manager="andrew-cole")
plan.person("tom-ashby", "Tom Ashby", role="Design Associate and coach, Design Council",
            contacts=["tom.ashby@example.org"], manager="claire-dunn")
plan.person("claire-dunn", "Claire Dunn", role="Programme Manager, Design Council",
            contacts=["claire.dunn@example.org"])
plan.person("joe-whitmore", "Joe Whitmore", role="Adviser, Local Government Association",
            contacts=["joe.whitmore@example.org"])

# -- Set up ---------------------------------------------------------------------------------------
with plan.phase("set-up", "Set up the core team and the challenge") as p:
    p.milestone(
        "place-confirmed", "Place on the programme confirmed and core team named",
        owner="kate-morgan", due="+3 working days",
        description="Chief executive, cabinet member, assistant director and challenge owner "
                    "named to the Design Council; dates in their diaries.",
        evidence="Confirmation email from the Design Council filed with the plan.",
    )
    p.milestone(
        "challenge-brief", "Challenge brief drafted",
        owner="lisa-grant", due="+7 working days",
        depends_on=["place-confirmed"],
        description="What we know about private renters who approach us late: numbers, "
                    "routes in, costs of temporary accommodation, what has been tried.",
        evidence="Two-page brief shared with the core team and the design coach.",
    )
    p.milestone(
        "core-team-agreement", "Core team agrees the challenge and the time it will give",
        owner="simon-hall", due="22 Oct 2026",
        depends_on=["challenge-brief"],
        evidence="Core team meeting note with the agreed challenge and commitments.",
    )
    p.milestone(
        "pre-work-pack", "Pre-work for the workshops: data pack and five resident stories",
        owner="ravi-patel", due="+5 working days after core-team-agreement",
        evidence="Pack sent to the Design Council a week before day one.",
    )

# -- Kick-off -------------------------------------------------------------------------------------
with plan.phase("kick-off", "Kick-off workshop (two fixed days)") as p:
    p.milestone(
        "kickoff-day-1", "Kick-off workshop, day one",
        owner="kate-morgan", due="4 Nov 2026",
        depends_on=["pre-work-pack"],
        description="With the other councils in the cohort: the design process, the Double "
                    "Diamond, and reframing the challenge. Whole core team attends.",
        evidence="Attendance confirmed by the Design Council; workshop outputs photographed.",
        reminders={"before": [10, 5, 1]},
    )
    p.milestone(
        "reflections-day-1", "Reflections on day one published openly",
        owner="kate-morgan", due="+3 working days after kickoff-day-1",
        evidence="Post live on the council's blog and shared with the cohort.",
    )
    p.milestone(
        "kickoff-day-2", "Kick-off workshop, day two",
        owner="kate-morgan", due="25 Nov 2026",
        depends_on=["kickoff-day-1"],
        description="Research methods, planning the discovery work, and the core team's role "
                    "in leading it.",
        evidence="Attendance confirmed; discovery plan drafted in the room.",
        reminders={"before": [10, 5, 1]},
    )
    p.milestone(
        "reflections-day-2", "Reflections on day two published openly",
        owner="hollie-young", due="+3 working days after kickoff-day-2",
        evidence="Post live on the council's blog and shared with the cohort.",
    )
    p.milestone(
        "joint-blog-draft", "Joint blog post drafted with the Design Council and the LGA",
        owner="hollie-young", due="+5 working days after kickoff-day-2",
        description="Why the council joined, the challenge, and what the chief executive and "
                    "the cabinet member want from it, in their own words.",
        evidence="Draft agreed by the chief executive and the cabinet member.",
    )
    p.milestone(
        "joint-blog-published", "Joint blog post published",
        owner="claire-dunn", due="+10 working days after joint-blog-draft",
        evidence="Post live on the Design Council and LGA websites, linked from the council's.",
        reminders={"escalate_to_manager_after": 5},
    )

# -- Discover and define --------------------------------------------------------------------------
with plan.phase("discover-define", "Discover and define") as p:
    p.milestone(
        "research-plan", "Research plan and consent approach",
        owner="ravi-patel", due="+5 working days after kickoff-day-1",
        description="Who we will talk to, how we will find them, consent and data protection.",
        evidence="Plan agreed with the design coach; DPIA screening signed off.",
    )
    p.milestone(
        "resident-interviews", "Fifteen interviews with renters, landlords and frontline staff",
        owner="ravi-patel", due="+20 working days after research-plan",
        depends_on=["kickoff-day-2"],
        evidence="Interview notes stored securely; a short story written up for each.",
    )
    p.milestone(
        "insight-synthesis", "Journey maps and insights synthesis",
        owner="tom-ashby", due="+8 working days after resident-interviews",
        evidence="Journey maps and five insight statements shared with the core team.",
    )
    p.milestone(
        "reframed-challenge", "Reframed challenge agreed by the core team",
        owner="lisa-grant", due="+5 working days after insight-synthesis",
        description="A 'how might we' statement that the whole core team signs up to.",
        evidence="Core team meeting note with the reframed challenge.",
    )
    p.milestone(
        "reflections-discovery", "Reflections on what discovery taught us, published openly",
        owner="hollie-young", due="+5 working days after reframed-challenge",
        evidence="Post live on the council's blog and shared with the cohort.",
    )

# -- Develop and deliver --------------------------------------------------------------------------
with plan.phase("develop-deliver", "Develop and deliver") as p:
    p.milestone(
        "ideas-workshop", "Ideas workshop with residents, landlords and advice agencies",
        owner="tom-ashby", due="+5 working days after reframed-challenge",
        evidence="Long list of ideas and the three chosen to prototype.",
    )
    p.milestone(
        "coaching-midpoint", "Mid-point coaching review with the Design Council",
        owner="claire-dunn", due="+3 working days after ideas-workshop",
        evidence="Review note with the coach's challenge and the team's actions.",
    )
    p.milestone(
        "prototypes", "Three low-fidelity prototypes made",
        owner="lisa-grant", due="+10 working days after ideas-workshop",
        description="For example an early-warning letter when a section 21 notice is served, "
                    "a landlord helpline, and drop-in advice at the GP surgery.",
        evidence="Prototypes ready to put in front of residents.",
    )
    p.milestone(
        "prototype-testing", "Prototypes tested with ten renters and five landlords",
        owner="ravi-patel", due="+15 working days after prototypes",
        depends_on=["coaching-midpoint"],
        evidence="Test findings, with what worked and what did not.",
    )
    p.milestone(
        "pilot-decision", "Core team decides which prototype to pilot, and funds it",
        owner="simon-hall", due="+5 working days after prototype-testing",
        evidence="Decision recorded with a budget and a pilot owner.",
    )
    p.milestone(
        "reflections-testing", "Reflections on testing published openly",
        owner="hollie-young", due="+5 working days after prototype-testing",
        evidence="Post live on the council's blog and shared with the cohort.",
    )

# -- Share and embed ------------------------------------------------------------------------------
with plan.phase("share-embed", "Share and embed") as p:
    p.milestone(
        "cabinet-briefing", "Cabinet briefed on the design approach and the pilot",
        owner="cllr-rebecca-stone", due="+10 working days after pilot-decision",
        evidence="Cabinet briefing held; questions and answers noted.",
    )
    p.milestone(
        "showcase", "Showcase with the programme cohort",
        owner="kate-morgan", due="17 Mar 2027",
        depends_on=["pilot-decision"],
        evidence="Presentation given; slides shared with the Design Council and the LGA.",
    )
    p.milestone(
        "final-reflections", "Final reflections published openly",
        owner="kate-morgan", due="+5 working days after showcase",
        depends_on=["reflections-discovery", "reflections-testing", "cabinet-briefing"],
        description="What changed for residents, for the team and for the council's leadership, "
                    "and what we would do differently.",
        evidence="Post live on the council's blog, the Design Council site and the LGA's.",
    )
    p.milestone(
        "design-champions", "Design champions network and next two challenges agreed",
        owner="andrew-cole", due="+15 working days after showcase",
        evidence="Network launched; two services signed up to use the approach next.",
    )
