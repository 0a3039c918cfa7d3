"""Strategic commissioning cycle for Ashbury's future healthy lifestyles service.

Analyse -> Plan -> Do -> Review, and round again. The current stop smoking, weight management
and NHS Health Check contracts end on 30 September 2027; the new integrated healthy lifestyles
service starts on 1 October 2027, and the Review phase feeds the next turn of the cycle.

Healthy lifestyles services are public health services, so the procurement follows the Provider
Selection Regime (competitive process, notice of intention, eight-working-day standstill).
"""

from programme.planfiles.authoring import Plan

plan = Plan(
    id="healthy-lifestyles-commissioning",
    title="Healthy lifestyles service: strategic commissioning cycle",
    kind="commissioning cycle",
    description=(
        "Commission an integrated healthy lifestyles service (stop smoking, healthy weight, "
        "physical activity, alcohol advice and NHS Health Checks) that reaches the people least "
        "well served today, starting 1 October 2027."
    ),
    lead="aisha-khan",
    sponsor="fiona-mcleod",
    start="2026-09-01",
    end="2028-04-28",
    timezone="Europe/London",
    calendar={"region": "england-and-wales", "closures": ["2026-12-29", "2026-12-30", "2026-12-31"]},
    subscribers=["fiona-mcleod", "cllr-james-whitaker", "daniel-fraser",
                 "healthy.lifestyles.board@example.gov.uk"],
    reminders={"before": [5, 1, 0], "chase_every": 2, "escalate_to_sponsor_after": 10},
)

# -- people -------------------------------------------------------------------------------------
plan.person("aisha-khan", "Aisha Khan", role="Public Health Commissioning Manager",
            contacts=["aisha.khan@example.gov.uk"], manager="daniel-fraser")
plan.person("daniel-fraser", "Dr Daniel Fraser", role="Consultant in Public Health",
            contacts=["daniel.fraser@example.gov.uk"], manager="fiona-mcleod")
plan.person("fiona-mcleod", "Fiona McLeod", role="Director of Public Health",
            contacts=["fiona.mcleod@example.gov.uk"])
plan.person("cllr-james-whitaker", "Cllr James Whitaker",
            role="Cabinet Member for Health and Wellbeing",
            contacts=["cllr.james.whitaker@example.gov.uk"])
plan.person("owen-davies", "Owen Davies", role="Public Health Intelligence Analyst",
            contacts=["owen.davies@example.gov.uk"], manager="daniel-fraser")
plan.person("hannah-lewis", "Hannah Lewis", role="Community Engagement Officer, Public Health",
            contacts=["hannah.lewis@example.gov.uk"], manager="aisha-khan")
plan.person("laura-bennett", "Laura Bennett", role="Contract Manager, Public Health",
            contacts=["laura.bennett@example.gov.uk"], manager="aisha-khan")
plan.person("megan-ford", "Megan Ford", role="Senior Procurement Officer, Commercial Services",
            contacts=["megan.ford@example.gov.uk"], manager="paul-grant")
plan.person("paul-grant", "Paul Grant", role="Head of Procurement and Commercial",
            contacts=["paul.grant@example.gov.uk"])

# -- Analyse --------------------------------------------------------------------------------------
with plan.phase("analyse", "Analyse: understand need, services and residents") as p:
    p.milestone(
        "jsna-chapter", "Healthy lifestyles chapter of the JSNA refreshed",
        owner="owen-davies", due="+25 working days",
        description="Joint strategic needs assessment chapter on smoking, healthy weight, "
                    "physical activity and alcohol: prevalence by ward, trends, inequalities.",
        evidence="Chapter published on the JSNA website after sign-off by the Director of "
                 "Public Health.",
    )
    p.milestone(
        "population-segmentation", "Population segmentation analysis",
        owner="owen-davies", due="+15 working days",
        description="Segment the adult population by combined risk behaviours, deprivation, "
                    "age and long-term conditions, using GP-registered population data and "
                    "public health intelligence.",
        evidence="Segmentation workbook and method note reviewed by the consultant in public "
                 "health.",
    )
    p.milestone(
        "current-services-review", "Review of current services: activity, outcomes and spend",
        owner="laura-bennett", due="+20 working days",
        description="Four-week quit rates, weight-loss outcomes, Health Check uptake by "
                    "deprivation quintile, unit costs and who the current services do not reach.",
        evidence="Service review pack shared with the commissioning team.",
    )
    p.milestone(
        "resident-insight", "Resident insight: survey and four focus groups",
        owner="hannah-lewis", due="+25 working days",
        description="What helps and what stops residents changing habits; focus groups in the "
                    "two most deprived wards, with young parents and with men over 50.",
        evidence="Insight report with anonymised quotes.",
    )
    p.milestone(
        "personas", "Four personas built from segmentation and intelligence",
        owner="owen-davies", due="+5 working days after resident-insight",
        depends_on=["population-segmentation"],
        description="Four evidence-based personas, each a segment with its needs, barriers and "
                    "the services it uses, to anchor the discovery day.",
        evidence="Persona cards agreed with the public health consultant.",
    )
    p.milestone(
        "discovery-day", "Discovery day: define the problem with the four personas",
        owner="aisha-khan", due="21 Oct 2026",
        depends_on=["personas", "jsna-chapter", "current-services-review"],
        description="A day with public health, primary care, the ICB, leisure, housing, the "
                    "voluntary sector and residents to walk each persona through today's "
                    "services and define the problem we are commissioning to solve.",
        evidence="Write-up of the day with the agreed problem definition for each persona.",
    )
    p.milestone(
        "problem-statement", "Problem statement agreed by the public health leadership team",
        owner="daniel-fraser", due="+10 working days after discovery-day",
        evidence="Problem statement minuted at the public health leadership team.",
    )

# -- Plan -----------------------------------------------------------------------------------------
with plan.phase("plan", "Plan: design the change and engage the market") as p:
    p.milestone(
        "required-outcomes", "Required outcomes and outcomes framework agreed",
        owner="daniel-fraser", due="+10 working days after problem-statement",
        description="The outcomes the service must deliver, with measures, baselines and "
                    "targets, including narrowing the gap between the most and least deprived "
                    "wards.",
        evidence="Outcomes framework signed off by the Director of Public Health.",
    )
    p.milestone(
        "service-model-options", "Options appraisal for the future service model",
        owner="aisha-khan", due="+15 working days after problem-statement",
        description="Integrated lifestyle hub, digital-first with face-to-face for those who "
                    "need it, or place-based teams in primary care networks.",
        evidence="Scored options appraisal with a preferred option.",
    )
    p.milestone(
        "equality-impact-assessment", "Equality impact assessment of the preferred model",
        owner="hannah-lewis", due="+10 working days after service-model-options",
        evidence="EqIA approved by the equalities lead and attached to the business case.",
    )
    p.milestone(
        "market-engagement-notice", "Market engagement notice published",
        owner="megan-ford", due="+5 working days after service-model-options",
        description="Notice inviting providers, social enterprises and community organisations "
                    "to the market engagement event and to answer a short questionnaire.",
        evidence="Notice live on the e-tendering portal; link recorded here.",
    )
    p.milestone(
        "market-engagement-event", "Market engagement event",
        owner="aisha-khan", due="19 Jan 2027",
        depends_on=["market-engagement-notice", "required-outcomes"],
        description="Share the personas, the required outcomes and the preferred model; hear "
                    "what the market can offer, at what price and in what time.",
        evidence="Event held; slides and questions and answers sent to every registered "
                 "organisation.",
    )
    p.milestone(
        "market-feedback", "Market feedback summary published",
        owner="megan-ford", due="+10 working days after market-engagement-event",
        evidence="Summary published to all participants with the changes we made in response.",
    )
    p.milestone(
        "sourcing-strategy", "Sourcing strategy agreed: PSR competitive process, 5+2 years",
        owner="megan-ford", due="+5 working days after market-feedback",
        description="Route under the Provider Selection Regime, lots, contract length, "
                    "budget envelope, social value weighting and evaluation model.",
        evidence="Sourcing strategy approved at the procurement board.",
    )
    p.milestone(
        "business-case", "Business case and commissioning intentions",
        owner="aisha-khan", due="+5 working days after sourcing-strategy",
        depends_on=["equality-impact-assessment", "required-outcomes"],
        evidence="Business case signed off by the Director of Public Health and the section 151 "
                 "officer.",
    )
    p.milestone(
        "cabinet-decision", "Cabinet key decision to procure",
        owner="fiona-mcleod", due="17 Mar 2027",
        depends_on=["business-case"],
        description="Key decision on the forward plan at least 28 days ahead; Cabinet report "
                    "cleared by legal, finance and the Cabinet Member.",
        evidence="Cabinet decision notice published; call-in period ended.",
        reminders={"before": [10, 5, 1, 0], "escalate_to_manager_after": 1},
    )

# -- Do -------------------------------------------------------------------------------------------
with plan.phase("do", "Do: procure, contract and manage") as p:
    p.milestone(
        "specification", "Service specification drafted",
        owner="aisha-khan", due="+20 working days after market-feedback",
        depends_on=["required-outcomes"],
        evidence="Specification reviewed by the clinical governance lead and procurement.",
    )
    p.milestone(
        "contract-terms", "Contract terms and payment mechanism drafted",
        owner="megan-ford", due="+10 working days after sourcing-strategy",
        description="NHS Standard Contract with local variations; a payment mechanism with an "
                    "outcomes-based element tied to the required outcomes.",
        evidence="Terms cleared by legal services.",
    )
    p.milestone(
        "tender-published", "Tender published",
        owner="megan-ford", due="+3 working days after cabinet-decision",
        depends_on=["specification", "contract-terms"],
        evidence="Tender notice live; documents available on the e-tendering portal.",
    )
    p.milestone(
        "bids-close", "Bids close",
        owner="megan-ford", due="+30 working days after tender-published",
        evidence="Bids received through the portal; opening record kept.",
    )
    p.milestone(
        "evaluation-complete", "Evaluation and moderation complete",
        owner="aisha-khan", due="+15 working days after bids-close",
        description="Quality, social value and price scored by a panel from public health, "
                    "procurement and a resident representative; moderation meeting held.",
        evidence="Moderated scores and evaluation report signed by the panel.",
    )
    p.milestone(
        "notice-of-intention", "Notice of intention to award published",
        owner="megan-ford", due="+3 working days after evaluation-complete",
        evidence="Notice published and bidders told their scores.",
    )
    p.milestone(
        "standstill-ends", "Standstill period ends with no representations upheld",
        owner="megan-ford", due="+8 working days after notice-of-intention",
        evidence="Standstill closed; any representations answered and recorded.",
    )
    p.milestone(
        "contract-signed", "Contract signed",
        owner="megan-ford", due="+10 working days after standstill-ends",
        evidence="Contract sealed and stored in the contracts register.",
    )
    p.milestone(
        "contract-management-plan", "Contract management plan and quarterly review schedule",
        owner="laura-bennett", due="+10 working days after contract-signed",
        description="KPIs, data returns, quarterly review meetings, escalation and the "
                    "outcomes-based payment timetable.",
        evidence="Plan agreed with the provider at the first contract meeting.",
    )
    p.milestone(
        "mobilisation-ready", "Mobilisation complete: staff, premises, referral pathways",
        owner="laura-bennett", due="24 Sep 2027",
        depends_on=["contract-signed"],
        description="TUPE transfer from the current providers, data migration, referral "
                    "pathways from GP practices and pharmacies, and a communications campaign.",
        evidence="Readiness checklist signed off by the commissioning manager.",
    )
    p.milestone(
        "go-live", "New healthy lifestyles service goes live",
        owner="aisha-khan", due="1 Oct 2027",
        depends_on=["mobilisation-ready", "contract-management-plan"],
        evidence="First referrals received and the service listed on the council website.",
    )

# -- Review ---------------------------------------------------------------------------------------
with plan.phase("review", "Review: progress against the required outcomes, and round again") as p:
    p.milestone(
        "first-contract-review", "First quarterly contract review",
        owner="laura-bennett", due="+55 working days after go-live",
        evidence="Review minutes with performance against each KPI and agreed actions.",
    )
    p.milestone(
        "outcomes-review", "Six-month review of progress against the required outcomes",
        owner="daniel-fraser", due="+26 weeks after go-live",
        depends_on=["first-contract-review"],
        description="Reach into the four persona segments, quit and weight outcomes, and the "
                    "gap between the most and least deprived wards, against the baseline.",
        evidence="Outcomes review report to the public health leadership team.",
    )
    p.milestone(
        "next-cycle", "Round again: questions for the next JSNA refresh agreed",
        owner="owen-davies", due="+10 working days after outcomes-review",
        description="What the review tells us we still do not know; this starts the next "
                    "Analyse phase.",
        evidence="Questions added to the JSNA work programme.",
    )
    p.milestone(
        "health-and-wellbeing-board", "Report to the Health and Wellbeing Board",
        owner="fiona-mcleod", due="27 Apr 2028",
        depends_on=["outcomes-review", "next-cycle"],
        evidence="Board paper published with the minutes.",
    )
