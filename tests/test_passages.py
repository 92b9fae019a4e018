"""Passage-level detection (techniques, statistics, systems, URLs, deliberation), the pre-Milner
(b)(2) marking and record-set consistency: behaviour on positive and negative examples."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from redactor.codes import Policy, code_findings, record_date
from redactor.detect import detect, get_detector
from redactor.load import load_document
from redactor.passages import PassageDetector, clauses

from conftest import make_pdf, run_cli


@pytest.fixture(scope="module")
def passages() -> PassageDetector:
    return PassageDetector()


def kinds(detector: PassageDetector, text: str, marked: bool = False) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in detector.find(0, text, None, marked):
        out.setdefault(f.entity, []).append(f.text)
    return out


@pytest.mark.parametrize("text", [
    "Agents will search the spare tire and the rocker panels with a fiber-optic scope before calling a canine team.",
    "The district office prosecutes alien smuggling only when the load holds at least eight undocumented aliens.",
    "Loads move north between 0200 and 0500 hours, when only one agent covers the wash.",
    "Referral criteria: a prior removal order; apprehension within ten miles of the port.",
    "The sensor field cannot distinguish horses from foot traffic after heavy rain.",
    "Vehicles are sent to secondary after a rule hit on their crossing history in the preceding 60 days.",
    "Agents staged at the Red Rock pull-off can see northbound traffic on Highway 286 only until dusk.",
    "The tunnel detection team uses ground-penetrating radar along a two-mile stretch west of the port.",
    "Loads of less than 50 pounds are referred to the county prosecutor instead of the USAO.",
    "All hits are run through TECS and the NCIC query before the subject is released.",
    # methods, limits and criteria in plainer words
    "After 2200 a single deputy usually covers the whole river district alone.",
    "The dive team searches hulls on a fixed schedule, Mondays and Thursdays only.",
    "Buses are waved straight to secondary when the manifest lists a first-time carrier.",
    "Analysts rank the tips by a weighted score in which prior arrests count double.",
    "Investigators keep two backstopped personas and buy from each seller no more than once a month.",
    "The clinic manager is questioned before the owner learns that the inspection is under way.",
    "A pharmacy that fills more than 30 opioid scripts a day for one prescriber is treated as a pill mill.",
    "This unit does not take wire-fraud referrals with a loss under $75,000 unless a bank insider is involved.",
    "The bookkeeper is not contacted until the bank records are back from the subpoena.",
    "A pretext call from the local deputy would show whether the owner is still at the shop.",
    "Payments to the source are authorized up to $1,000 a month without the supervisor's approval.",
    "The county attorney charges shoplifting referrals only above $2,500 a store, so we hold the small ones.",
    "Tips from the hotline are assigned only when a second caller names the same clinic.",
    "Our office does not refer benefit matters under $8,000 to the state.",
    # protective measures of a security plan or a convoy
    "Canine sweep of the ballroom and the loading dock at 1600; doors locked after.",
    "Plainclothes deputies walk the concourse during the second half.",
    "Motorcade route changed at the last minute to avoid the bridge.",
    "Final K-9 sweep of the rotunda, the press gallery and the east stairs",
    # flagging and review rules, and a lone unit covering an area
    "Examiners flag vendors whose invoices repeat the same round amount every week.",
    "The desk audits every refund above $2,500 issued to a first-time filer.",
    "After midnight we have one boat covering both inlets and the marina.",
    # gaps, sampling rates and routing rules in audit, SOP and activity-report words
    "Since March the overnight shift has run with a single deputy on most weekdays.",
    "Two investigator positions in the coastal office remained vacant all year.",
    "Screeners pick one traveler in twelve for a full bag search.",
    "Contractor trucks leaving before the end of a shift are always searched.",
    "Any two matches send the permit to manual vetting before it is issued.",
    "The annual count was done by the property clerk alone, with no second person present.",
    "The server room was secured only by a keypad whose code had not changed in years.",
    "Regions may skip the site visit for a grantee with fewer than 5 employees.",
    # staffing ratios and sizes per unit
    "Housing units are staffed at one correctional officer for every 120 inmates on the day watch.",
    "Teams range between 14 and 58 personnel per unit, the largest along the river.",
    # where and when units work, and what every conveyance goes through
    "Patrols are concentrated on the county roads south of the port, with two-deputy units working "
    "late shifts Thursday through Sunday.",
    # a finding's means, work kept from its subject, checks made without notice
    "Analysts find straw buyers by matching the dealer's sales to the trace records within 30 days.",
    "Tips would not be shared with the store owners until an agent has watched the register video.",
    "The dealer's license number lets us find his other sales, which the buyers do not know we track.",
    "Keys are counted during unannounced audits of each district's lockers.",
    "The Rail VACIS at the crossing will image every southbound train, and the port will route every "
    "reefer trailer through the portal before the dock.",
])
def test_techniques_are_found(passages, text):
    assert kinds(passages, text).get("LE_TECHNIQUE"), text


@pytest.mark.parametrize("text", [
    "The agency maintains a policy on controlled deliveries of commercial merchandise.",
    "On June 3, 2009, at approximately 1400 hours, officers declared the inspection complete and released less than $10,000.",
    "In consideration of local prosecutorial guidelines, OI will keep authority over the interview process.",
    "Current and future funding must be secured to meet staffing of their prosecutorial offices.",
    "CBP officers inspect travelers at ports of entry to enforce hundreds of laws.",
    "Packets would be sent to Mexico within 24 hours of the seizure unless ICE objects.",
    "Officers must complete the required training before they are assigned to an outbound team.",
    "Under 19 U.S.C. 1581, officers may board and inspect any vehicle at the border.",
    "The GOM has agreed to prosecute smugglers under Mexican law when U.S. prosecution is declined.",
    "OFO will provide OI with copies of seizure reports for all southbound seizures.",
    "The office does not accept applications after the closing date.",
    "We flagged the typo in the draft and the printer fixed it.",
    "The inspector general's audit flagged the problem in 2019.",
    "The office has one car on loan from the motor pool this month.",
    "One in five residents reported a burglary last year.",
    "The clinic aims at one nurse for every family it serves.",
    "The visitor center is always open to the public on weekdays.",
    "FOR OFFICIAL USE ONLY Page 1 of 3",
    "Grants under $25,000 are reviewed by the program office before award.",
    "The perimeter fence along the visitor lot was repainted in May.",
    # how an agent may testify is the agency's legal process
    "The authorized agent may testify only to facts within the scope set out above and may not give opinion "
    "testimony about agency policies or other investigations.",
    "If questions go beyond that scope at trial, the agent will decline to answer and will refer the court to this letter.",
    # a question asks; the law as a court stated it is public
    "Why are agents not stationed at the checkpoint on weekends between 0200 and 0500 hours?",
    "We assessed the program by comparing FY 2010 with FY 2009.",
    "The new schedule will not be released until the board votes in May.",
    "The visitor center is unavailable during the renovation this spring.",
    "Passengers should report unattended bags; unmanned aircraft may not fly over the stadium.",
    "The Supreme Court upheld brief, suspicionless stops at fixed checkpoints near the border in "
    "United States v. Martinez-Fuerte, 428 U.S. 543 (1976).",
])
def test_general_descriptions_are_not_techniques(passages, text):
    assert not kinds(passages, text).get("LE_TECHNIQUE"), text


@pytest.mark.parametrize("text, cue", [
    ("Investigators park at the county garage instead of the field office so that their cars are not recognized.",
     "kept from being noticed"),
    ("The arrest is made by the county deputies, to keep the tribal officers who know the family out of the arrest.",
     "kept from being noticed"),
    ("+30 for a first-time importer; +20 when the shipper's address is a residence", "scoring or ranking method"),
    ("The patrol boat's radar is degraded above sea state 3, and the night crew stays inshore.",
     "gap or weakness in coverage"),
    ("Air support is not available on Sundays unless the duty supervisor asks by Friday.", "gap or weakness in coverage"),
    ("Monitors on the wire room rotate every 90 minutes.", "operating hours or schedule"),
    ("Recorded calls in Somali are not reviewed for two or three days after they come in.", "held back until"),
    # records run against others, where a pilot is confined, what declined cases become, how well a detector works
    ("Analysts will run each serial number against the trace results and the pawn records within 48 hours.",
     "how records are checked"),
    ("The trial would be confined to the Lukeville and Sasabe ports on weekends, when most loads cross on foot.",
     "scope limited to a few"),
    ("Smuggling guides caught with groups are charged; USAO declinations referred to the state within 72 hours.",
     "prosecution or case-acceptance criterion"),
    ("Alarm thresholds are set by body zone; the false alarm rate is highest at the ankles.", "detection capability"),
])
def test_concealment_score_points_and_equipment_out_of_reach_are_technique_cues(passages, text, cue):
    """Each is found for the cue a reviewer reads in its explanation, not by the classifier alone."""
    found = [f for f in passages.find(0, text + "\n") if f.entity == "LE_TECHNIQUE"]
    assert found and any(cue in f.explanation for f in found), [f.explanation for f in found]


def test_a_technique_right_above_a_text_tables_rows_is_found(passages):
    text = ("Patrols are concentrated on the county roads south of the port, with two-deputy units working\n"
            "2000 to 0400 hours Thursday through Sunday.\n"
            "| Activity | Q3 | To date |\n| --- | --- | --- |\n| Traffic stops | 3,116 | 9,087 |\n")
    found = kinds(passages, text)
    assert [t.split()[0] for t in found.get("LE_TECHNIQUE", [])] == ["Patrols"], found
    assert not any("|" in t for t in found["LE_TECHNIQUE"]), found


def test_another_clause_of_a_techniques_sentence_goes_with_it_when_it_has_a_cue():
    detector = PassageDetector()
    detector.classifier["whole_sentence"] = {"technique": 2.0}  # the classifier's whole-sentence reading aside
    text = ("Inspectors x-ray every reefer trailer from the two border states; the drivers are questioned "
            "between 0200 and 0500 hours in the annex.\n")
    methods = [f.text for f in detector.find(0, text) if f.entity == "LE_TECHNIQUE"]
    assert any(m.startswith("the drivers are questioned") for m in methods), methods
    # an event told in the other clause, or a clause without a cue, stays released
    for other in ("the first driver was questioned on October 2, 2023 after the scan",
                  "the drivers mostly come from the two border states"):
        text = f"Inspectors x-ray every reefer trailer from the two border states; {other}.\n"
        methods = [f.text for f in detector.find(0, text) if f.entity == "LE_TECHNIQUE"]
        assert not any(other in m for m in methods), methods


def test_two_different_phrases_of_one_cue_weigh_more_than_one(passages):
    """"the tracking device … and the pole camera" names two methods; "seized … seized" repeats a
    broad word list, which does not count twice."""
    def explanation(text: str) -> str:
        return next((f.explanation for f in passages.find(0, text + "\n") if f.entity == "LE_TECHNIQUE"), "")
    two = explanation("The report describes the tracking device fitted to the truck and the pole camera used.")
    assert "('tracking device', 'pole camera')" in two and "weight 1.2" in two, two
    one = explanation("The report describes the tracking device fitted to the truck and the camera used.")
    assert "weight 1.2" not in one, one
    broad = explanation("Agents used a pole camera after the seized loads and the apprehended crew were counted.")
    assert "'seized', 'apprehended'" not in broad, broad


def test_the_number_of_a_unit_a_room_or_a_route_is_no_count(passages):
    found = kinds(passages, "AFOSI Detachment 218 opened 14 cases and 9 referrals in Building 4417 this quarter.")
    assert found["LE_STATISTIC"] == ["14", "9"], found
    # nor is a paragraph's number beside a backlog of referrals
    text = "This memo answers your tasking on the backlog of referrals and the changes in paragraph 6."
    assert not kinds(passages, text).get("LE_STATISTIC"), kinds(passages, text)


def test_the_number_of_a_state_road_is_no_count(passages):
    found = kinds(passages, "Deputies made 412 traffic stops on NM 9 and 57 on FM 1017 in the quarter.")
    assert found["LE_STATISTIC"] == ["412", "57"], found


def test_how_long_records_are_kept_or_a_deadline_is_no_statistic_nor_method(passages):
    for text in ["Recordings not associated with an incident are retained for 180 days.\n",
                 "Recordings tied to a complaint are retained until the matter is closed and for the period "
                 "required by the records schedule.\n",
                 "The agency will release recordings within 72 hours of the incident.\n"]:
        assert not kinds(passages, text), (text, kinds(passages, text))
    assert kinds(passages, "Agents made 72 arrests within the first week.\n").get("LE_STATISTIC") == ["72"]


def test_how_long_requests_are_taking_is_a_statistic(passages):
    """A delay or a backlog tells an office's capacity ("requests are taking 23 business days")."""
    assert kinds(passages, "Audit trail requests are taking 23 business days to fill.").get("LE_STATISTIC") == ["23"]
    assert kinds(passages, "The lab backlog stands at 140 phones awaiting extraction.").get("LE_STATISTIC") == ["140"]


def test_integrity_tests_run_are_counts_of_enforcement_but_lab_tests_are_not(passages):
    assert kinds(passages, "In FY 2023 investigators ran 212 integrity tests, and clerks failed 19 tests.")[
        "LE_STATISTIC"] == ["212", "19"]
    assert not kinds(passages, "The lab ran 12 DNA tests on the samples from the scene.").get("LE_STATISTIC")


def test_statistics_are_the_figures_of_enforcement_counts(passages):
    found = kinds(passages, "In FY09 a total of 1,312 cases were generated with 1,487 principals, "
                            "and 1,104 of those principals were accepted for prosecution.")
    assert found["LE_STATISTIC"] == ["1,312", "1,487", "1,104"]
    table = "Seizures by station\n\nStation\nCases\nAccepted\n\nNorth\n243\n211\n\nSouth\n268\n79%\n"
    assert kinds(passages, table)["LE_STATISTIC"] == ["243", "211", "268", "79%"]


def test_small_figures_count_beside_a_larger_one_and_counts_of_activity(passages):
    found = kinds(passages, "The boarding officer flagged 109 loitering vessels and ordered 6 of them out of the zone.")
    assert found["LE_STATISTIC"] == ["109", "6"]
    assert kinds(passages, "Weekend coverage of the marina feeds averaged 6 hours per day.")["LE_STATISTIC"] == ["6"]
    table = "Quarterly activity\nBoardings\n270 boardings\n292 boardings\nTips received\n512 tips\n"
    assert kinds(passages, table)["LE_STATISTIC"] == ["270", "292", "512"]
    # one event told in a report, and a small figure alone, are no statistics
    assert not kinds(passages, "On May 3, agents boarded the vessel and inspected 14 containers.").get("LE_STATISTIC")
    assert not kinds(passages, "The team flagged the vessel twice and ordered 6 crew ashore.").get("LE_STATISTIC")


def test_a_grid_of_staffing_or_enforcement_counts_is_withheld_whole(passages):
    """Every figure of a staffing grid goes, small ones and "N of M" too; labels stay."""
    grid = ("Coverage by watch\nWatch\nInspectors\nDogs\nFirst watch (0700–1530)\n14 inspectors\n2 of 3\n"
            "Second watch\n9 inspectors\n1 of 3\nNight watch\n3 (5)\nnone\n")
    assert kinds(passages, grid)["LE_STATISTIC"] == ["14", "2", "3", "9", "1", "3", "3", "5"]
    # a percentage wrapped in its cell is withheld whole
    uptime = "Equipment status\nCamera mast\nUptime\n71\npercent\nGround radar\n40\npercent\nRelay\n93 percent\n"
    assert kinds(passages, uptime)["LE_STATISTIC"] == ["71\npercent", "40\npercent", "93 percent"]


def test_eradication_counts_and_counts_over_a_season_or_the_same_year_are_statistics(passages):
    assert kinds(passages, "Zone 4 eradicated 21 grow sites in the 2021 season and reclaimed 4 of those sites.\n")[
        "LE_STATISTIC"] == ["21", "4"]
    assert kinds(passages, "Shipments refused or seized at the port numbered 567 shipments in the same year.\n")[
        "LE_STATISTIC"] == ["567"]
    assert kinds(passages, "Marijuana plants eradicated on BLM land totaled 176,859 plants.\n")[
        "LE_STATISTIC"] == ["176,859"]
    # one raid on a day, a description, a published total are not
    assert not kinds(passages, "On June 3 rangers eradicated 1,200 plants at one garden after a tip.\n").get("LE_STATISTIC")
    assert not kinds(passages, "The garden had 40 plants and 3 tents.\n").get("LE_STATISTIC")
    assert not kinds(passages, "The clinic served 400 patients in the same year, its annual report says.\n").get(
        "LE_STATISTIC")


def test_how_far_a_subjects_scheme_reached_is_a_statistic(passages):
    assert kinds(passages, "The same laptop also filed 23 returns in the names of other taxpayers.\n")[
        "LE_STATISTIC"] == ["23"]
    assert kinds(passages, "Ruiz Roofing LLC cashed 37 insurance checks meant for other homeowners.\n")[
        "LE_STATISTIC"] == ["23"][:0] + ["37"]
    # the things without a subject's deed, or a deed without them, are not
    assert not kinds(passages, "Applicants may submit up to 12 pages of exhibits with the form.\n").get("LE_STATISTIC")
    assert not kinds(passages, "The claimant's lawyer submitted 14 exhibits to the board.\n").get("LE_STATISTIC")


def test_a_cell_with_a_note_a_count_of_subjects_by_year_and_vacancies_are_statistics(passages):
    grid = ("Staffing\nItem\nNow\nPlanned\nRangers on the river unit\n6 rangers\n9 rangers (summer details)\n"
            "Patrol boats\n2 boats\n3 boats\n")
    assert kinds(passages, grid)["LE_STATISTIC"] == ["6", "9", "2", "3"]
    trend = "Subjects by offense\nOffense\nFY21\nFY22\nBurglary\n12 subjects\n27 subjects\nArson\n4 subjects\n9 subjects\n"
    assert kinds(passages, trend)["LE_STATISTIC"] == ["12", "27", "4", "9"]
    assert kinds(passages, "• 4 inspector vacancies at the port remain unfilled this spring.\n")["LE_STATISTIC"] == ["4"]
    # a cell of three words ("2 agents on fraud"), hours with a thousands comma (no clock time)
    grid = "Workload\nMeasure\nFraud\nTheft\nOpen cases\n11 open cases\n14 open cases\nAgents assigned\n2 agents on fraud\n5 agents on theft\n"
    assert kinds(passages, grid)["LE_STATISTIC"] == ["11", "14", "2", "5"]
    hours = "Results\nArrests\n3 arrests\nSites reclaimed\n4 sites\nRanger hours on reclamation\n1,840 hours\n"
    assert "1,840" in kinds(passages, hours)["LE_STATISTIC"]
    assert kinds(passages, "The backlog at the county lab reached 176 items in April.\n")["LE_STATISTIC"] == ["176"]
    assert not kinds(passages, "Arrests desk hours\nOpens\n0700 hours\nCloses\n1900 hours\nPhones\n0800 hours\n").get("LE_STATISTIC")
    # a count of subjects in one event, and a list of items with notes, are not
    assert not kinds(passages, "Two subjects fled; 3 subjects were detained at the gate.\n").get("LE_STATISTIC")
    assert not kinds(passages, "Supplies\nItem\nRadios\n12 radios (spare)\nVests\n20 vests (new)\nLights\n4 lights\n").get(
        "LE_STATISTIC")


def test_a_text_table_the_record_says_was_published_is_released(passages):
    rows = ("| Measure | FY 2008 | FY 2009 |\n| --- | --- | --- |\n| Criminal arrests | 2,108 | 2,511 |\n"
            "| Indictments | 1,150 | 1,322 |\n")
    published = "The following figures appear in the FY 2009 Summary released by the ICE Office of Public Affairs:\n"
    assert not kinds(passages, published + rows).get("LE_STATISTIC"), kinds(passages, published + rows)
    internal = "Unit results for the Director (not for release):\n"
    assert kinds(passages, internal + rows).get("LE_STATISTIC"), kinds(passages, internal + rows)
    # the note under the grid may say so instead, wrapped over its lines
    note = ("These figures are reported to the Sector each month and are summarized in the State's\n"
            "annual grant report published by the Department of Public Safety.\n")
    assert not kinds(passages, rows + note).get("LE_STATISTIC"), kinds(passages, rows + note)
    unpublished = "These figures are reported to the Sector each month and are not published.\n"
    assert kinds(passages, rows + unpublished).get("LE_STATISTIC"), kinds(passages, rows + unpublished)


def test_figures_from_a_publication_named_in_the_sentence_before_are_released(passages):
    text = ("The National Gang Intelligence Center published its National Gang Threat Assessment in January "
            "2009. The assessment estimated that more than 20,000 gangs were active and accounted for 80 percent "
            "of crime in many communities.\n")
    assert not kinds(passages, text).get("LE_STATISTIC"), kinds(passages, text)
    # "according to" the guidelines is no source of the figures after it
    text = ("Seized property is processed according to the forfeiture guidelines. Weekend coverage of the "
            "marina feeds averaged 2 hours per day.\n")
    assert kinds(passages, text).get("LE_STATISTIC") == ["2"], kinds(passages, text)


def test_figures_the_record_calls_public_or_takes_from_a_report_to_congress_are_released(passages):
    for text in ["The bureau publishes its drone-sighting totals on its website. In 2023 it logged 4,112 sightings "
                 "near airports.\n",
                 "In 2023 the office logged 4,112 drone sightings and 316 arrests; these figures are public.\n",
                 "Our Semiannual Report to Congress for the period reports 52 indictments and 31 convictions.\n"]:
        assert not kinds(passages, text).get("LE_STATISTIC"), text
    # the same counts with no word of a publication are withheld
    text = "In 2023 the office logged 4,112 drone sightings and 316 arrests near the two airports.\n"
    assert kinds(passages, text).get("LE_STATISTIC") == ["4,112", "316"], kinds(passages, text)
    # nor is a sentence that names the report and says the counts after it are kept back
    text = ("Yearly totals appear in the semiannual report; counts by office are withheld here. 64 matters were "
            "open at run time.\n")
    assert kinds(passages, text).get("LE_STATISTIC") == ["64"], kinds(passages, text)


def test_an_auditors_own_results_are_no_enforcement_statistics(passages):
    for text in ["We could not locate 37 items, including 4 rifles, and found that 18 percent of the files we "
                 "tested lacked a signature.\n",
                 "Of the 37 items we could not locate, 22 were at one field office.\n"]:
        assert not kinds(passages, text).get("LE_STATISTIC"), text
    # what the office itself did, told in its own voice, still counts
    text = "We arrested 37 subjects and seized 4 rifles at the port this quarter.\n"
    assert kinds(passages, text).get("LE_STATISTIC") == ["37", "4"], kinds(passages, text)


def test_staffing_levels_and_labelled_rows_are_statistics_however_small(passages):
    assert kinds(passages, "Only 4 linguists are assigned to the wire room on weekends.")["LE_STATISTIC"] == ["4"]
    assert kinds(passages, "Right now 2 handlers work the whole airport cargo ramp.")["LE_STATISTIC"] == ["2"]
    assert kinds(passages, "Mean dwell at the pier: 48 minutes\n")["LE_STATISTIC"] == ["48"]
    grid = "Posts by tour\nTour\nAssigned On post\nFirst 31 officers 24 on post\nSecond 27 officers 17 on post\n"
    assert kinds(passages, grid)["LE_STATISTIC"] == ["31", "24", "27", "17"]
    # other staff, complaints received, and a time of day in a staffing sentence
    assert kinds(passages, "Only 2 auditors are assigned to the grant fraud desk.")["LE_STATISTIC"] == ["2"]
    assert kinds(passages, "The hotline logged 412 complaints about the lender last quarter.")["LE_STATISTIC"] == ["412"]
    assert kinds(passages, "Most nights 3 deputies are on duty in the north county after 2200.")["LE_STATISTIC"] == ["3"]
    # years of experience and court citations are no counts
    assert not kinds(passages, "Our agents bring over 25 years of experience to export investigations.").get("LE_STATISTIC")
    assert not kinds(passages, "Stops at fixed checkpoints were upheld in United States v. Martinez-Fuerte, "
                               "428 U.S. 543 (1976), and in 566 F.2d 242.").get("LE_STATISTIC")


def test_a_staffing_sentence_gives_its_figures_not_a_technique(passages):
    found = kinds(passages, "The resident office has 17 agents assigned to the strike force, 3 of them on loan.")
    assert found.get("LE_STATISTIC") == ["17", "3"] and not found.get("LE_TECHNIQUE"), found


def test_a_column_of_table_cells_or_a_subject_line_is_no_technique(passages):
    column = ("Summary\nCourier seen\nleaving the\nstash house\nby the back\ngate at night\nReported by\n")
    assert not kinds(passages, column).get("LE_TECHNIQUE")
    assert not kinds(passages, "Subject: RE: covert pole camera at the feed store lot\n").get("LE_TECHNIQUE")


def test_the_days_of_a_date_are_not_counts_in_a_grid(passages):
    found = kinds(passages, "Activation log (nights, March 3–4)\nSite\nActivations\n12 hits\n9 hits\n7 hits\n")
    assert found["LE_STATISTIC"] == ["12", "9", "7"]
    assert kinds(passages, "APR 1 4 2008\nAgents\n3 teams\n")["LE_STATISTIC"] == ["3"]  # a date stamp split by OCR


@pytest.mark.parametrize("text", [
    "The program began in 2007 under 8 U.S.C. 1324 and section 287 of the Act.",
    "Requests are handled under 28 CFR 16.4 and 6 CFR 5.3 as amended.",
    # row labels, dates, ZIP codes and phone numbers in a grid are no counts
    "Office roster\nOffice\nAgents\nRoom 12\nSuite 3\nAnnex 4\nWashington, DC 20229\n",
    "Contacts\nAgent\nPhone\nBay 1\n202 555-0147\nBay 2\n202 555-0178\nJune 3, 2024\nJune 9, 2024\n",
    # a grid of course hours says nothing about enforcement
    "Course\nHours\nRefresher\n4\nAdvanced\n40\nWorkshop\n24\n",
    "Last quarter we referred 38 pages of records to other agencies; see 566 F.2d 242, 260 (D.C. Cir. 1977).",
    "The checkpoint operates between 1500 hours and 2300 hours; agents arrive at 0600 hours.",
    "Officers responding to Title 21 cases at the ports met on March 12, 2009 in Room 4417.",
    "The budget request for FY 2010 was $45,000 for training 12 instructors.",
    "Page 12 of 40",
    "Seizures of firearms increased by 15 percent compared with last year, the Secretary announced.",
    # a day-first date; the number of a named unit or place
    "On 23 March investigators arrested the clinic manager after a search of the billing office.",
    "Region 11 opened the review of arrests at the port after the audit.",
    # the number of a period or stage; a share of a budget spent
    "Two offices were below the benchmark for Quarter 3 because of vacancies.",
    "Two sheriff's offices are below the 60 percent spending benchmark for the year because of vacancies.",
    "The county spent 45 percent of its grant on overtime for deputies on patrol.",
])
def test_years_statutes_rooms_and_money_are_not_statistics(passages, text):
    assert not kinds(passages, text).get("LE_STATISTIC"), text


def test_a_month_on_the_next_line_of_a_grid_does_not_make_its_counts_dates(passages):
    grid = ("Arrests made at the county courthouse are counted in section 4 of this report, not below.\n"
            "Removal flights\nDate\nDestination\nRemoved\nSeats unused\n"
            "May 2, 2024\nTegucigalpa\n143 removed\n12 seats\nMay 19, 2024\nQuito\n121 removed\n30 seats\n")
    assert kinds(passages, grid).get("LE_STATISTIC") == ["143", "12", "121", "30"], kinds(passages, grid)


def test_a_section_number_after_the_section_sign_is_no_statistic(passages):
    found = kinds(passages, "Last quarter agents made 126 arrests for failure to register under 18 U.S.C. § 2250.")
    assert found.get("LE_STATISTIC") == ["126"], found


def test_internal_systems_and_urls(passages):
    found = kinds(passages, "Agents queried the TALON-RP case module and the tracker at "
                            "http://lrtintranet.example.gov/sid/tracker.aspx; see www.cbp.gov for the public page.")
    assert "TALON-RP case module" in found["INTERNAL_SYSTEM"]
    assert found["INTERNAL_URL"] == ["http://lrtintranet.example.gov/sid/tracker.aspx"]
    assert not kinds(passages, "Agents seized an AK-47 rifle and an I-94 form from the vehicle.").get("INTERNAL_SYSTEM")


def test_an_internal_host_named_without_its_scheme_is_an_internal_url(passages):
    found = kinds(passages, "Targeting rules are posted at insite.cbp.dhs.gov/ofo/rules and complaints go through "
                            "oprportal.usdoj.gov each week.")
    assert found.get("INTERNAL_URL") == ["insite.cbp.dhs.gov/ofo/rules", "oprportal.usdoj.gov"], found
    # a public site, and the domain of a mailbox, are not
    public = kinds(passages, "See www.ice.dhs.gov or iris.dhs.gov, or write to jane.roe@ice.dhs.gov or foia@cbp.dhs.gov.")
    assert not public.get("INTERNAL_URL"), public


def test_a_code_alerts_are_routed_through_or_a_product_name_records_are_kept_in_is_a_system(passages):
    assert kinds(passages, "Sensor alerts go to the duty supervisor through HAWKEYE-7 at night.").get(
        "INTERNAL_SYSTEM") == ["HAWKEYE-7"]
    assert kinds(passages, "Shift rosters are kept on the share drive and in PostBook.").get(
        "INTERNAL_SYSTEM") == ["PostBook"]
    # a product or a form number with no word of records, alerts or routing near it is not one
    assert not kinds(passages, "The agent drove a Ford F-150 to the meeting at the YouTube office.").get("INTERNAL_SYSTEM")


def test_a_code_word_records_are_kept_in_is_a_system_and_a_url_stops_at_a_footer(passages):
    found = kinds(passages, "Leads are logged in MARROWSTONE and scored; reports were run in BASALT-7 last week. "
                            "Products are posted to HSIN for partners.")
    assert found.get("INTERNAL_SYSTEM") and set(found["INTERNAL_SYSTEM"]) == {"MARROWSTONE", "BASALT-7"}, found
    urls = kinds(passages, "Criteria are kept on https://ops.cbp.example.gov/rules/\nLAW ENFORCEMENT SENSITIVE\n")
    assert urls["INTERNAL_URL"] == ["https://ops.cbp.example.gov/rules/"], urls


@pytest.mark.parametrize("text", [
    "Consider dropping the weekly call with the partner agencies in favor of a shared log.",
    "The warden may prefer to phase in the new mail rules rather than start them at every unit on the same day.",
    "A better approach might be to train the local deputies and let them work the smaller cases.",
    "The second course of action carries more risk to the undercover officers and should probably be dropped.",
    # the informal register of e-mail and margin comments: leanings, questions put to colleagues,
    # options laid out on a slide
    "Honestly I'd lean against adding the night shift until the new hires are certified.",
    "I'm not convinced the tip line is worth keeping open on weekends.",
    "Should we bring the county crime lab in on the swabs before the grand jury meets?",
    "Open question – do we brief the state prosecutor now or after the search?",
    "• Option 3 – shift the dog team to the rail yard and leave the bus depot to camera coverage",
    "Recommend the unit pause the pilot until the vendor fixes the reader errors.",
    "Our tentative recommendation is to keep both analysts on the fraud queue through March.",
    # views and proposals stated in general ways
    "In the region's view the mobile scanner will not replace a fixed portal at the rail crossing.",
    "The chief's position is that overtime alone will not close the gap on weekends.",
    "We are weighing a second dispatcher for the night tour, but nothing is settled.",
    "One option is to rotate the boat crew weekly; another is to contract the maintenance out.",
    "The district should consider whether the training can wait until the new fiscal year.",
    "I would not send this to the prosecutor until the lab confirms the count.",
    # votes, leanings and proposals as minutes and notes record them
    "My vote is to wait for the audit before we call the landlord.",
    "Move the case to the civil side and hold the referral, which we consider the safer course.",
    "Okoro proposed, and the board agreed to consider, a second night inspector; no decision was made.",
    "Propose search warrant service the week of May 5, after the AUSA signs off.",
    "The revised screening form is still being negotiated with the union and is not ready.",
    # a decision pending, a dissent, a suggestion put to the one who decides
    "Next year the command staff is considering moving two deputies to the night shift.",
    "Do not schedule the drill until the Director decides whether the range stays open.",
    "A minority of the panel would have found the pursuit outside policy.",
    "The panel suggests the Chief consider a refresher for the whole shift.",
    # a matter left open, and a course set beside what counsel thinks of it
    "Possible seizure of the boat trailer, still under discussion",
    "Issue the penalty notices to both brokers now; regional counsel thinks the file on the second broker is thin.",
])
def test_proposals_preferences_and_weighed_risks_are_deliberative(passages, text):
    assert "DELIBERATIVE" in kinds(passages, text), text


def test_a_passage_already_redacted_in_an_earlier_release_is_not_proposed_again(passages):
    text = ("Loads are referred for prosecution once they meet the criteria set by (b)(2),(b)(7)(E)\n"
            "(b)(2),(b)(7)(E) and agents must follow them.")
    assert not kinds(passages, text).get("LE_TECHNIQUE")


@pytest.mark.parametrize("text, cue", [
    ("The summary says too much about the method; suggest cutting it before the file goes to the AUSA.", "recommendation"),
    ("Both routes cost overtime we have not worked out yet.", "unsettled position"),
    ("Fewer night checks. Risk: loads move to the river road, which the county may not accept.", "assessment of an option"),
])
def test_a_suggestion_after_a_semicolon_costs_not_worked_out_and_a_risk_laid_out_are_deliberative_cues(
        passages, text, cue):
    found = [f for f in passages.find(0, text + "\n") if f.entity == "DELIBERATIVE"]
    assert found and any(cue in f.explanation for f in found), [f.explanation for f in found]


def test_deliberation_needs_a_recommendation_option_or_opinion(passages):
    draft = "We recommend Option A for the first 90 days. Option B would likely delay referrals."
    assert len(kinds(passages, draft)["DELIBERATIVE"]) == 2
    assert not kinds(passages, "The working group met on May 4 and agreed to share seizure data weekly.")
    # impersonal wording in a final record is the decision itself; in a marked draft it is not
    assert not kinds(passages, "The Committee recommends that agencies publish their annual reports online.")
    final = "It is recommended that the policy be updated to reflect current technology."
    assert not kinds(passages, final).get("DELIBERATIVE")
    assert kinds(passages, "DRAFT\n" + final.replace("updated", "updated, which would delay the rollout"),
                 marked=True).get("DELIBERATIVE")


def test_headings_are_not_passages(passages):
    assert not kinds(passages, "Options Under Consideration\n\nPrincipals accepted for prosecution\n")


def test_clauses_split_sentences_not_abbreviations():
    text = "The checkpoint on U.S. Highway 83 is staffed. Mr. Ruiz agreed; the team left."
    parts = [text[s:e] for s, e in clauses(text)]
    assert parts == ["The checkpoint on U.S. Highway 83 is staffed.", "Mr. Ruiz agreed", "the team left."]
    # a code ending in a capital letter ends its sentence; it is not an initial
    text = "Stop every rental truck at grid square 14-C. DEA and OI signed the agreement."
    assert [text[s:e] for s, e in clauses(text)][-1] == "DEA and OI signed the agreement."


def test_a_sector_closing_a_technique_stays_released(passages):
    found = kinds(passages, "Agents stage at the Kilo 26 pull-off between 0200 and 0500 hours, Rio Grande Valley Sector")
    assert found["LE_TECHNIQUE"] == ["Agents stage at the Kilo 26 pull-off between 0200 and 0500 hours"]


@pytest.mark.parametrize("header, when", [
    ("Date: Dec. 15, 2010", date(2010, 12, 1)),      # abbreviated months: December, not January
    ("Sent: Oct 3, 2010 4:12 PM", date(2010, 10, 1)),
    ("Date: 25-JUN-2009", date(2009, 6, 1)),
    ("Date: 6/25/09", date(2009, 6, 25)),             # a two-digit year is never in the future
])
def test_record_dates_as_headers_write_them(tmp_path, header, when):
    doc = load_document(make_pdf(tmp_path / "d.pdf", ["MEMORANDUM", header, "The subject, DOB 3/4/84, was interviewed."]))
    assert record_date(doc) == when


def test_pre_milner_records_get_b2_with_a_warning(tmp_path):
    lines = ["MEMORANDUM", "Date: June 25, 2009",
             "Marijuana loads cross between 0100 and 0400 hours, when only one agent covers the wash."]
    doc = load_document(make_pdf(tmp_path / "old.pdf", lines))
    assert record_date(doc).year == 2009
    props, _ = code_findings(doc, detect(doc))
    technique = [p for p in props.proposals if p.entity == "LE_TECHNIQUE"]
    assert technique and technique[0].codes == ["(b)(2)", "(b)(7)(E)"]
    assert "Milner" in technique[0].warnings[0]
    # an agent's e-mail address in the signature of such a record was "low 2" as well
    doc = load_document(make_pdf(tmp_path / "mail.pdf", lines + ["Regards,", "Dolores Ybarra",
                                                                  "dolores.ybarra@example.gov"]))
    props, _ = code_findings(doc, detect(doc))
    assert [p.codes for p in props.proposals if p.entity == "EMAIL_ADDRESS"] == [["(b)(2)", "(b)(6)", "(b)(7)(C)"]]
    # the same record dated after Milner: (b)(7)(E) alone
    doc = load_document(make_pdf(tmp_path / "new.pdf", [lines[0], "Date: June 25, 2019", lines[2]]))
    props, _ = code_findings(doc, detect(doc))
    assert [p.codes for p in props.proposals if p.entity == "LE_TECHNIQUE"] == [["(b)(7)(E)"]]
    # and a policy can turn the old marking off
    policy = Policy.load()
    policy.legacy_b2 = {**policy.legacy_b2, "enabled": False}
    doc = load_document(tmp_path / "old.pdf")
    props, _ = code_findings(doc, detect(doc), policy)
    assert all("(b)(2)" not in p.codes for p in props.proposals)


def test_a_name_inside_a_passage_adds_its_codes_to_the_passage(tmp_path):
    doc = load_document(make_pdf(tmp_path / "m.pdf", [
        "Officers search spare tires with a fiber-optic scope and call SA Rebecca Thornton only when the meter is high."]))
    props, _ = code_findings(doc, detect(doc))
    passage = next(p for p in props.proposals if p.entity == "LE_TECHNIQUE")
    assert {"(b)(6)", "(b)(7)(C)", "(b)(7)(E)"} <= set(passage.codes)
    assert any(p.entity == "PERSON" and p.text == "Rebecca Thornton" for p in props.proposals)


def test_a_number_withheld_in_one_record_is_withheld_in_the_others(tmp_path):
    folder = tmp_path / "request"
    folder.mkdir()
    # the label makes it a case number in a.pdf; b.pdf mentions it bare, which alone finds nothing
    make_pdf(folder / "a.pdf", ["MEMORANDUM", "Case number: 2009-LRT-0456 (Maria Lopez)."])
    make_pdf(folder / "b.pdf", ["Status of the southbound pilot", "Refer to 2009-LRT-0456 for the details."])
    alone = run_cli("propose", folder / "b.pdf", "--out", tmp_path / "b-alone.json")
    assert alone.returncode == 0 and json.loads((tmp_path / "b-alone.json").read_text())["proposals"] == []
    out = tmp_path / "out"
    r = run_cli("redact", folder, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    b = json.loads((out / "b.proposals.json").read_text())
    carried = [p for p in b["proposals"] if p["recognizer"] == "RecordSetConsistency"]
    assert [p["text"] for p in carried] == ["2009-LRT-0456"]
    assert "a.pdf" in carried[0]["rationale"] and carried[0]["codes"] == ["(b)(6)", "(b)(7)(C)"]
    import pymupdf
    assert "2009-LRT-0456" not in pymupdf.open(out / "b.redacted.pdf")[0].get_text()


def test_an_internal_url_wrapped_at_the_line_end_is_found_whole(passages):
    text = "Reports go to the workspace at https://\ncobaltgate.example.gov/sbwg/seizures within a day."
    assert kinds(passages, text)["INTERNAL_URL"] == ["https://\ncobaltgate.example.gov/sbwg/seizures"]


def test_an_open_investigation_adds_7A_to_its_case_numbers(tmp_path):
    lines = ["REPORT OF INVESTIGATION", "Case number: CR-2019-004512", "Case Status: Open - referred to the USAO"]
    doc = load_document(make_pdf(tmp_path / "open.pdf", lines))
    props, _ = code_findings(doc, detect(doc))
    case = next(p for p in props.proposals if p.entity == "CASE_NUMBER")
    assert case.codes == ["(b)(6)", "(b)(7)(A)", "(b)(7)(C)"] and "open investigation" in case.rationale
    doc = load_document(make_pdf(tmp_path / "closed.pdf", lines[:2] + ["Case Status: Closed"]))
    props, _ = code_findings(doc, detect(doc))
    assert next(p for p in props.proposals if p.entity == "CASE_NUMBER").codes == ["(b)(6)", "(b)(7)(C)"]


def test_a_record_marked_sensitive_security_information_adds_b3_to_its_procedures(tmp_path):
    lines = ["WARNING: This record contains Sensitive Security Information controlled under 49 CFR parts 15 and 1520.",
             "Every bag that alarms twice is sent to the explosives trace station, with only one officer on the lane."]
    doc = load_document(make_pdf(tmp_path / "ssi.pdf", lines))
    props, _ = code_findings(doc, detect(doc))
    method = next(p for p in props.proposals if p.entity == "LE_TECHNIQUE")
    assert "(b)(3)" in method.codes and "(b)(7)(E)" in method.codes and "114(r)" in method.rationale, method
    doc = load_document(make_pdf(tmp_path / "plain.pdf", lines[1:]))
    props, _ = code_findings(doc, detect(doc))
    assert all("(b)(3)" not in p.codes for p in props.proposals)


def test_an_fbi_file_number_adds_7E_for_its_classification(tmp_path):
    lines = ["Case file: 281F-HQ-C1392207 (Safe Streets)", "Case number: CR-2019-004512"]
    doc = load_document(make_pdf(tmp_path / "fbi.pdf", lines))
    props, _ = code_findings(doc, detect(doc))
    codes = {p.text: p.codes for p in props.proposals if p.entity == "CASE_NUMBER"}
    assert codes.get("281F-HQ-C1392207") == ["(b)(6)", "(b)(7)(C)", "(b)(7)(E)"], codes
    assert codes.get("CR-2019-004512") == ["(b)(6)", "(b)(7)(C)"], codes


def test_a_sentence_reporting_figures_over_a_period_is_a_statistic_not_a_method(passages):
    found = kinds(passages, "Night coverage averaged 4 agents per shift across the corridor.")
    assert found.get("LE_STATISTIC") == ["4"] and "LE_TECHNIQUE" not in found, found
    # a rule with a number in it stays a technique
    found = kinds(passages, "Loads of less than 50 pounds are referred to the county prosecutor instead of the USAO.")
    assert "LE_TECHNIQUE" in found, found
    # a schedule is a method, and its clock times are not counts
    found = kinds(passages, "Inspections will be scheduled at random between 1500 and 2300 hours on four days each month.")
    assert "LE_TECHNIQUE" in found and "LE_STATISTIC" not in found, found


# --- the shipped sentence classifier (data/passage_model, training/train_passages.py) -----------

CARRIED_BY_CLASSIFIER = [
    "Officers tap each spare tire with a mallet and listen for a dull tone before they order a density reading.",
    "The team parks on the levee road so it can see the river bend without being seen from the Mexican side.",
]


@pytest.mark.parametrize("text", CARRIED_BY_CLASSIFIER)
def test_the_classifier_carries_a_technique_its_cues_alone_miss(passages, text, tmp_path):
    found = [f for f in passages.find(0, text) if f.entity == "LE_TECHNIQUE"]
    assert found and "classifier" in found[0].explanation and "(confident)" in found[0].explanation, found
    # the same lexicon without the classifier: the cues alone fall short
    import yaml
    from redactor.passages import DATA_FILE
    cfg = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    del cfg["classifier"]
    rules_only = tmp_path / "passages.yaml"
    rules_only.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert not [f for f in PassageDetector(rules_only).find(0, text) if f.entity == "LE_TECHNIQUE"]


@pytest.mark.parametrize("text", [
    "Please submit leave requests through the timekeeping system by Friday.",
    "The quarterly meeting will be held in the main conference room.",
    "Couriers were arrested at the bridge and transported to the station for processing.",
])
def test_the_classifier_leaves_administration_and_narrative_alone(passages, text):
    assert not kinds(passages, text)


def test_the_classifier_alone_does_not_carry_a_question_or_a_fragment(passages):
    """Where no cue agrees, the classifier carries a clause only when it tells (not asks) and is
    more than a table cell or a two-word list item."""
    told = "Couriers carrying less than the reporting amount are waved through so the money can be followed."
    asked = "Are couriers carrying less than the reporting amount waved through so the money can be followed?"
    assert passages._model_scores(told)["technique"] >= 0.95
    assert "LE_TECHNIQUE" in kinds(passages, told)
    assert passages._model_scores(asked)["technique"] >= 0.95
    assert "LE_TECHNIQUE" not in kinds(passages, asked)
    assert not passages._stands_alone("carry-on bags and laptops")


def test_filler_without_a_hint_of_weighing_is_not_deliberation(passages):
    """The classifier alone reads some filler as deliberation; it is asked only where a cue or
    a hint of weighing or advising appears."""
    assert "DELIBERATIVE" not in kinds(passages, "Line two of the paragraph here.")


@pytest.mark.parametrize("text", [
    "It was further agreed that each field office will designate a liaison to the task force.",
    "We recognize that regular communication between the two offices is essential.",
    "The Commissioner approved the plan on March 3, 2009.",
    "It is recommended that the handbook be updated to reflect the new phone system.",
    # a question from the public, a marking line, a blank decision block
    "Can I renew my passport by mail if it expired more than five years ago?",
    "Draft 2 – Pre-decisional / Deliberative",
    "Office of Inspector General – Investigations Division – Region 5 – FOR DISCUSSION PURPOSES",
    "DECISION:   Approve ____     Disapprove ____     Modify ____",
    "The appeal is under review by the regional office.",
])
def test_final_official_prose_is_not_read_as_deliberation(passages, text):
    assert "DELIBERATIVE" not in kinds(passages, text)


def test_the_training_script_builds_a_loadable_classifier(tmp_path):
    import subprocess
    import sys
    import spacy
    from conftest import ROOT
    out = tmp_path / "model"
    done = subprocess.run([sys.executable, str(ROOT / "training" / "train_passages.py"), "--folds", "0",
                           "--epochs", "1", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    scores = spacy.load(out)("Agents stage at the pull-off between 0200 and 0500.").cats
    assert set(scores) == {"technique", "statistic", "deliberative"}


def test_unwrap_joins_prose_lines_not_list_entries():
    from redactor.passages import unwrap
    prose = "The subject claimed to be a citizen of Mexico and gave no address to the agents. Wendell\nMarchetti was driving."
    assert unwrap(prose) == prose.replace("\n", " ")
    listing = ("Kenji W. Harrowgate, Special Agent in Charge (SAC), San Diego\n"
               "Priscilla Oyelaran-Whitfield, Special Agent in Charge (SAC), Houston\n"
               "Tomasz J. Brennecke, ICE Attaché, Mexico City")
    assert unwrap(listing) == listing


def test_systems_named_like_products_or_joined_codes(passages):
    found = kinds(passages, "Case notes are kept in HarborLedger 3.1, and leads are logged in FalconTrace.\n"
                            "Dispatch runs through METRONET-East on the county server.\n")
    assert sorted(found["INTERNAL_SYSTEM"]) == ["FalconTrace", "HarborLedger 3.1", "METRONET-East"], found
    # surnames with a prefix and public products are no systems
    assert not kinds(passages, "The slides were built in PowerPoint; Agent McAllister and Ms. LeBlanc "
                               "entered them in the case record.").get("INTERNAL_SYSTEM")
    # a code word in capitals with a version, and its code in parentheses; not a section or a phone
    found = kinds(passages, "Alerts are pushed from GROVEWATCH 2.0 to the phones.\nSYSTEM: TIDECAD 6.2 (SDPD-CAD1)\n")
    assert {"GROVEWATCH 2.0", "TIDECAD 6.2 (SDPD-CAD1)"} <= set(found.get("INTERNAL_SYSTEM", [])), found
    assert not kinds(passages, "See SECTION 4.2 and PHASE 2.1 of the plan. CALLBACK 817.555.0121\n").get("INTERNAL_SYSTEM")


def test_a_network_share_wrapped_at_a_hyphen_is_found_whole(passages):
    found = kinds(passages, "Spreadsheets are kept on \\\\fps-r9-\nfs02\\ops\\posts\\coverage_FY23 and in binders.\n")
    assert found.get("INTERNAL_URL") == ["\\\\fps-r9-\nfs02\\ops\\posts\\coverage_FY23"], found


def test_a_name_before_a_systems_noun_or_called_a_system_or_queried_is_a_system(passages):
    for text, system in [("Analysts ran the plates through the Lighthouse database before the stop.\n",
                          "the Lighthouse database"),
                         ("Results are posted to the Falconview dashboard for the watch commander.\n",
                          "the Falconview dashboard"),
                         ("Agents queried KESTREL for prior crossings of the vehicle.\n", "KESTREL"),
                         ("Analysts use a program called Nighthawk to link phones to vehicles.\n", "Nighthawk"),
                         # an office's initials before a store only systems are
                         ("Each barment is entered in the PSD trespass registry by the clerk.\n",
                          "the PSD trespass registry"),
                         # capitalised words with their code, after a verb records are run or kept in
                         ("Screening rules run nightly in Cargo Sentinel (CS-4); hits go to the duty analyst.\n",
                          "Cargo Sentinel (CS-4)")]:
        assert system in kinds(passages, text).get("INTERNAL_SYSTEM", []), (text, kinds(passages, text))
    # a state's data, an agency's, and the public web are no internal system
    for text in ["The Texas database of sex offenders is public.\n",
                 "The Federal database lists every registered broker.\n",
                 "Prints are checked in the FBI fingerprint database and posted in the OIG public index.\n",
                 "He was held in Pima County Jail (PCJ) overnight and logged in Mercy Hospital (MH) later.\n"]:
        assert not kinds(passages, text).get("INTERNAL_SYSTEM"), (text, kinds(passages, text))


def test_a_code_that_opens_an_office_name_is_the_office_not_a_system(passages):
    text = ("Leads come from the GRANITE-7 query and the case dashboard.\n"
            "DOL-OIG Labor Racketeering Division – Pittsburgh – page 2\n")
    assert kinds(passages, text).get("INTERNAL_SYSTEM") == ["GRANITE-7 query"], kinds(passages, text)


def test_a_grid_titled_as_public_figures_is_released_an_internal_one_is_not(passages):
    grid = ("Cases opened, intake desk\nMeasure\nFY 2022\nFY 2023\nReferrals received\n1,204\n1,377\n"
            "Cases opened\n311\n296\nArrests\n57\n64\n")
    assert kinds(passages, grid).get("LE_STATISTIC") == ["1,204", "1,377", "311", "296", "57", "64"]
    public = grid.replace("Cases opened, intake desk", "2. Results (public figures, as reported to the Governor)")
    assert not kinds(passages, public).get("LE_STATISTIC"), kinds(passages, public)


def test_an_office_code_is_no_system(passages):
    text = "Leads are run in the ORCHID-7 tracker and shared with DOT-OIG and Army-CID analysts each week.\n"
    systems = kinds(passages, text).get("INTERNAL_SYSTEM")
    assert "ORCHID-7 tracker" in systems and not [s for s in systems if "OIG" in s or "CID" in s], systems


def test_a_clause_that_goes_on_the_one_before_stays_with_it(passages):
    text = "Drone sightings are worked only when the pilot can be found within an hour; otherwise they are closed unread.\n"
    found = kinds(passages, text).get("LE_TECHNIQUE")
    assert found and any("otherwise they are closed unread" in t for t in found), found
    # a new clause of its own still stands apart
    text = "Agents photograph each gate at dawn; the director approved the budget in May.\n"
    assert not any("budget" in t for t in kinds(passages, text).get("LE_TECHNIQUE", [])), kinds(passages, text)


def test_wrapped_drive_paths_share_hosts_and_printed_system_views(passages):
    text = ("Working copies are at T:\n\\Cases\\Region4\\Targets_v2.xlsx. Rules: https://claims-share.example.org/sift/rules\n"
            "ORCA-Lite – Intake Queue – printed view\n")
    found = kinds(passages, text)
    assert any("Targets_v2.xlsx" in u for u in found.get("INTERNAL_URL", [])), found
    assert "https://claims-share.example.org/sift/rules" in found.get("INTERNAL_URL", []), found
    assert "ORCA-Lite" in found.get("INTERNAL_SYSTEM", []), found
    # a public site with a path is not internal
    assert not kinds(passages, "See https://www.example.org/reports/annual for the report.\n").get("INTERNAL_URL")


def _two_pages(path: Path, first: list[str], second: list[str]) -> Path:
    """A two-page record with a running footer at the foot of each page, as laid out."""
    import pymupdf
    pdf = pymupdf.open()
    for number, lines in enumerate((first, second), start=1):
        page = pdf.new_page()
        page.insert_text((54, 72), "\n".join(lines), fontsize=10)
        page.insert_text((54, 760), f"SENSITIVE BUT UNCLASSIFIED - Page {number}", fontsize=8)
    pdf.save(path)
    return path


def test_a_sentence_cut_by_a_page_break_is_scored_whole_and_proposed_on_both_pages(tmp_path: Path):
    doc = load_document(_two_pages(tmp_path / "two.pdf", [
        "The complainant's statements cut both ways, and a jury could see him as a relative helping with",
        "paperwork rather than as an organizer. Having read the file twice, I would recommend that we",
    ], [
        "hold the referral until the bank records arrive and then decide whether to present it.",
        "The referral was received on March 3, 2024 and logged by the intake unit the same afternoon.",
    ]))
    found = [f for f in detect(doc, get_detector()) if f.entity == "DELIBERATIVE"]
    pages = {f.page: f.text for f in found}
    assert pages.get(0, "") == "Having read the file twice, I would recommend that we", found
    assert pages.get(1, "").startswith("hold the referral until the bank records arrive"), found
    assert not any("logged by the intake unit" in f.text for f in found), found


def test_a_grid_broken_by_the_page_end_is_read_with_the_note_under_it_on_the_next_page(tmp_path: Path):
    rows = ["| Activity | Q3 | Year to date |", "| Criminal arrests | 214 | 602 |", "| Warrant arrests | 88 | 251 |"]
    published = ["These figures are summarized in the State's annual grant report published by the",
                 "Department of Public Safety."]
    doc = load_document(_two_pages(tmp_path / "published.pdf", rows, ["| Referrals | 131 | 377 |"] + published))
    assert not [f.text for f in detect(doc, get_detector()) if f.entity == "LE_STATISTIC"]
    internal = ["These figures are for the Sector's planning and are not published."]
    doc = load_document(_two_pages(tmp_path / "internal.pdf", rows, ["| Referrals | 131 | 377 |"] + internal))
    assert {f.text for f in detect(doc, get_detector()) if f.entity == "LE_STATISTIC"} >= {"214", "602", "131"}


def test_a_page_ending_on_a_heading_or_a_full_stop_joins_nothing(tmp_path: Path):
    detector = PassageDetector()
    footer = "SENSITIVE BUT UNCLASSIFIED - Page 1"
    ended = ["Officers took reports at the front desk.", "I would recommend that we", footer]
    assert detector.across_pages(["\n".join(ended[1:2] + ["Night coverage", footer]),
                                  "consider the options.\n" + footer.replace("1", "2")]) == []
    assert detector.across_pages(["We logged the call.\n" + footer,
                                  "recommend nothing.\n" + footer.replace("1", "2")]) == []


def test_a_withheld_passage_is_withheld_where_it_recurs(tmp_path: Path):
    doc = load_document(_two_pages(tmp_path / "rep.pdf", [
        "Weekly notes.",
        "Boat crews check the restricted zones below each dam at irregular intervals rather than on a schedule.",
    ], [
        # a subject line is no passage of its own (an e-mail forwarded with the sentence as its subject)
        "Subject: Boat crews check the restricted zones below each dam at irregular intervals rather than on a schedule.",
    ]))
    found = [f for f in detect(doc, get_detector()) if f.entity == "LE_TECHNIQUE"]
    assert {f.page for f in found if "irregular intervals" in f.text} == {0, 1}, found


def test_a_system_defined_with_its_acronym_may_wrap_at_the_line_end(passages):
    text = ("Incident data are drawn from the Harbor\nPolice Records Management System (HPRMS); seal numbers go "
            "in the Gate Screening Log\n(GSL-2), and scores in the Retailer Risk Monitor (RRM).\n")
    systems = [" ".join(s.split()) for s in kinds(passages, text).get("INTERNAL_SYSTEM", [])]
    assert {"the Harbor Police Records Management System (HPRMS)", "the Gate Screening Log (GSL-2)",
            "the Retailer Risk Monitor (RRM)"} <= set(systems), systems
    # a public national system defined the same way stays released
    assert not kinds(passages, "Checks run through the National Instant Criminal Background Check\n"
                               "System (NICS).\n").get("INTERNAL_SYSTEM")


def test_a_deliberation_takes_in_the_short_sentences_of_its_own_bullet(passages):
    text = ("• Option 1: keep the current deployment and ask for more joint patrol days. Least cost, least effect.\n"
            "• Option 2: add a second rover on the evening tour.\n"
            "Good stop. I would recommend sharing the carrier information with the ports before anyone decides.\n")
    found = [" ".join(t.split()) for t in kinds(passages, text).get("DELIBERATIVE", [])]
    assert "Option 1: keep the current deployment and ask for more joint patrol days. Least cost, least effect." in found, found
    assert any(t.startswith("Good stop. I would recommend") for t in found), found
    # a list number or a quote marker before it is no sentence
    found = kinds(passages, "> 1. Can we show the badge data for the contractor is complete for calendar year 2022?\n")
    assert all(not t.startswith(">") for t in found.get("DELIBERATIVE", [])), found


def test_a_technique_sentence_of_two_clauses_is_withheld_whole(passages):
    text = ("Fuel receipts found aboard were compared to the trip length the master claimed; "
            "the boat burned about twice what a three-day trip needs.\n")
    found = [" ".join(t.split()) for t in kinds(passages, text).get("LE_TECHNIQUE", [])]
    assert " ".join(text.split()) in found, found
    # a sentence whose clauses are released prose stays released
    text = "The meeting ran long; the minutes were approved by the board in June.\n"
    assert not kinds(passages, text).get("LE_TECHNIQUE"), kinds(passages, text)


def test_what_an_office_has_or_is_down_to_is_its_staffing_level(passages):
    for text, figures in [("The Office of Investigations has 3 forensic accountants.\n", ["3"]),
                          ("The branch has 4 interceptor vessels in service, but only 2 crews can be fielded.\n", ["4", "2"]),
                          ("Screening staff fell to 8 officers on the midnight shift.\n", ["8"])]:
        assert kinds(passages, text).get("LE_STATISTIC") == figures, (text, kinds(passages, text))
    # an office's other holdings are no staffing
    assert not kinds(passages, "In 2023 the agency had 7 regional offices.\n").get("LE_STATISTIC")


def test_a_recommendation_by_staff_or_an_advisory_body_is_deliberative(passages):
    for text in ["Staff recommend a written agreement with student affairs on who speaks to demonstrators first.\n",
                 "The Board recommends that the incident be used as a scenario in the next in-service training.\n",
                 "The working group recommends a six-month pilot at LAX first, with the seaport added later.\n"]:
        assert kinds(passages, text).get("DELIBERATIVE"), (text, kinds(passages, text))
    # a recommendation acted on is the record of a decision
    text = "The Board recommended the award in 2019, and the Secretary approved it in March.\n"
    assert not kinds(passages, text).get("DELIBERATIVE"), kinds(passages, text)


def test_what_the_writer_would_do_is_an_opinion_and_a_courtesy_is_not(passages):
    for text in ["I would not take this to the AUSA yet.\n",
                 "We would hold the notice until the audit trail is back from the vendor.\n"]:
        assert kinds(passages, text).get("DELIBERATIVE"), (text, kinds(passages, text))
    for text in ["We would like to thank the staff of the Laredo port for their help.\n",
                 "He said he would take the boat out on Sunday.\n",
                 "I would be glad to bring you up to speed on the audit, but I suggest we set up a call later this week.\n",
                 "What I would like is some information on where the working group stands on adding narcotics to the program.\n"]:
        assert not kinds(passages, text).get("DELIBERATIVE"), (text, kinds(passages, text))


def test_staff_views_and_a_choice_put_to_the_decision_maker_are_deliberative(passages):
    for text in ["Staff view is that the Director should press FEMA to let BEST units draw Stonegarden funds directly "
                 "rather than through the state administrative agencies; approvals in Arizona have taken as long as "
                 "five months, which undercuts the recruiting of local officers.\n",
                 "I'd also suggest cutting the Commander's quote about \"the worst of the worst.\" In my view it "
                 "oversells what was mostly a warrant sweep.\n",
                 "The Director is asked to choose between these options before the March review.\n"]:
        found = kinds(passages, text).get("DELIBERATIVE", [])
        assert found and found[0].startswith(text[:20]), (text, found)
    text = "Staff reviewed the lease options for the Yuma field office in March.\n"
    assert not kinds(passages, text).get("DELIBERATIVE"), kinds(passages, text)


def test_a_technique_described_as_generally_known_is_released(passages):
    for text in ["Controlled deliveries and undercover purchases are common tools in drug investigations.\n",
                 "Suspicious activity reports filed by financial institutions are one source of leads for "
                 "investigators.\n"]:
        assert not kinds(passages, text).get("LE_TECHNIQUE"), (text, kinds(passages, text))
    # the same method, told as this office's plan or standing procedure, is withheld
    for text in ["Agents will make a controlled delivery to the stash house on Elm Road after the GPS tracker "
                 "confirms the van is parked.\n",
                 "The standard procedure at the port is to x-ray every third truck from the carrier before release.\n"]:
        assert kinds(passages, text).get("LE_TECHNIQUE"), (text, kinds(passages, text))


def test_hours_spent_on_the_work_are_a_resource_level(passages):
    for text, figures in [("The midnight shift logged 212 hours of overtime in June.\n", ["212"]),
                          ("Boat crews spent about 3,144 hours on the water.\n", ["3,144"]),
                          ("Agents charged 2,300 staff hours to the task.\n", ["2,300"]),
                          ("The weekend overtime budget has 139 hours left for the quarter.\n", ["139"])]:
        assert kinds(passages, text).get("LE_STATISTIC") == figures, (text, kinds(passages, text))
    # hours of a course, of a hold or of a clock are no effort
    for text in ["Training takes 40 hours; the course ran 16 hours over two days.\n",
                 "Detainees may be held up to 48 hours before a hearing.\n",
                 "The checkpoint opened at 0600 hours.\n"]:
        assert not kinds(passages, text).get("LE_STATISTIC"), (text, kinds(passages, text))


def test_a_deliberation_takes_in_the_brief_reservations_that_follow_it(passages):
    text = ("• Option 2: move two day-tour officers to the evening tour and start inspections at the evening peak. "
            "Sergeants support it; the union will object.\n")
    found = [" ".join(t.split()) for t in kinds(passages, text).get("DELIBERATIVE", [])]
    assert any(t.endswith("the union will object.") for t in found), found
    # a long sentence of plain report after it stays apart
    text = ("We recommend a second x-ray lane at the north entrance before the holiday season. "
            "The building opened in 1998 and houses eleven tenant agencies across six floors and two annexes.\n")
    found = [" ".join(t.split()) for t in kinds(passages, text).get("DELIBERATIVE", [])]
    assert found and not any("1998" in t for t in found), found
    # a longer sentence that weighs (what it would cost, who would object, what is not yet decided) goes too
    text = ("My suggestion is that we say nothing about the new station beyond the answer in Q1. The reporter "
            "will quote anything more as a decision, and the Chief hasn't signed off on the plan yet.\n")
    found = [" ".join(t.split()) for t in kinds(passages, text).get("DELIBERATIVE", [])]
    assert any(t.endswith("signed off on the plan yet.") for t in found), found


def test_a_dispatch_log_in_capitals_is_read_as_sentence_case(passages):
    text = "23:43:40 [D1] M31 ADVS WILL RUN DARK FROM THE FUEL DOCK SHADOW LINE AND HOLD SOUTH OF THE RAMP UNTIL H32 IS IN POSITION\n"
    assert any("RUN DARK" in t for t in kinds(passages, text).get("LE_TECHNIQUE", [])), kinds(passages, text)
    # what a caller reported, and a unit's arrival, are no method
    for text in ("23:41:02 [D1] RP STATES VEHICLE LEFT NB ON HARBOR DR AT HIGH SPEED\n",
                 "23:50:11 [S30] UNIT 4 ENRT, ETA 5 MIN\n"):
        assert not kinds(passages, text).get("LE_TECHNIQUE"), kinds(passages, text)


def test_a_product_named_system_that_records_are_kept_in_or_run_against(passages):
    text = ("Clips are in StreetLoom under the incident. Camera data would be held in TrailWatch\n"
            "Cloud; tracks are archived in SeaKite COP. Ran the addresses you sent against WAVECREST.\n")
    systems = [" ".join(t.split()) for t in kinds(passages, text).get("INTERNAL_SYSTEM", [])]
    assert {"StreetLoom", "TrailWatch Cloud", "SeaKite COP", "WAVECREST"} <= set(systems), systems
    # public products and offices are no internal systems
    text = "The files are stored in SharePoint, the data are in PowerBI, and records were filed in the McAllen Office.\n"
    assert not kinds(passages, text).get("INTERNAL_SYSTEM"), kinds(passages, text)


def test_a_joined_code_beside_an_extract_is_a_system(passages):
    text = "E-1 VMS position extract, 07/19/2023, from KELP-Scope\n"
    assert kinds(passages, text).get("INTERNAL_SYSTEM") == ["KELP-Scope"], kinds(passages, text)


def test_a_sentence_the_layout_breaks_with_a_blank_line_is_read_whole(passages):
    # a column or a box put a gap inside the sentence: it stops on a joining word and goes on in
    # lower case after the gap; the proposal covers both parts
    text = ("Detection gaps\n\n"
            "The sonar at the north buoy cannot tell a swimmer from a seal beyond about 300 yards in a\n\n"
            "heavy chop. The buoy was installed in 2019.\n\n"
            "Members of the public may call the station\n\n"
            "anytime.\n")
    found = [f.text for f in passages.find(0, text) if f.entity == "LE_TECHNIQUE"]
    assert any(t.startswith("The sonar at the north buoy") and t.endswith("heavy chop.") for t in found), found
    assert not any("installed in 2019" in t for t in found), found


def test_the_days_of_a_month_calendar_are_no_counts(passages):
    text = ("Duty calendar, June (leave, travel and training)\n\nMon\nTue\nWed\nThu\nFri\n\n"
            "3\nOkafor on leave\n\n4\n5\nAll hands, 0900\n\n6\nMbeki TDY Denver (to 6/14)\n\n7\n"
            "10\n11\nRuiz on medical leave.\n\n12\n13\nFirearms qualification\n\n14\n17\n18\n"
            "Officers on duty\n\n19\n20\n21\n")
    stats = [f.text for f in passages.find(0, text) if f.entity == "LE_STATISTIC"]
    assert not stats, stats
    # a grid of counts under the same labels is still one
    grid = "Officers on duty by shift\n\nDay\nSwing\nNight\n\n14 officers\n9 officers\n3 officers\n"
    assert [f.text for f in passages.find(0, grid) if f.entity == "LE_STATISTIC"], grid


def test_a_running_footers_slide_numbers_are_no_counts_but_a_row_label_repeated_on_pages_is(tmp_path: Path):
    import pymupdf
    pdf = pymupdf.open()
    for number, body in enumerate(["Apprehensions in the corridor: 412 this quarter, up from 388 last quarter.",
                                   "Apprehensions in the corridor: 297 this quarter, up from 251 last quarter."],
                                  start=1):
        page = pdf.new_page()
        page.insert_text((54, 72), body, fontsize=10)
        page.insert_text((54, 760), f"Office of Criminal Investigations - Field Office cases - slide {number} of 14",
                         fontsize=8)
    pdf.save(tmp_path / "deck.pdf")
    doc = load_document(tmp_path / "deck.pdf")
    stats = {(f.page, f.text) for f in detect(doc, get_detector()) if f.entity == "LE_STATISTIC"}
    assert {(0, "412"), (1, "297")} <= stats, stats
    assert not {t for _, t in stats if t in ("1", "2", "14")}, stats


def test_a_running_marking_is_no_technique_but_a_bullet_repeated_on_two_slides_is(tmp_path: Path):
    import pymupdf
    pdf = pymupdf.open()
    for number in (1, 2):
        page = pdf.new_page()
        page.insert_text((54, 40), "LAW ENFORCEMENT SENSITIVE // SURVEILLANCE METHODS NOT PRESENT", fontsize=8)
        page.insert_text((54, 90), f"Slide {number}: Night coverage\n\n"
                         "Agents stop checking the ranch road gate after 2200 because only one unit is on duty.",
                         fontsize=10)
    pdf.save(tmp_path / "deck.pdf")
    found = [f for f in detect(load_document(tmp_path / "deck.pdf"), get_detector()) if f.entity == "LE_TECHNIQUE"]
    assert not [f for f in found if "SENSITIVE" in f.text], found
    assert {f.page for f in found if f.text.startswith("Agents stop checking")} == {0, 1}, found


def test_the_records_own_purpose_line_is_released_and_what_it_weighs_is_not(passages):
    text = ("This memorandum summarizes the unit's workload since March 1, 2024 and asks for a decision on "
            "the referral criteria before the start of FY 2025.\n\n"
            "This paper proposes changes to weekend coverage for consideration by the Special Agent in Charge.\n\n"
            "We recommend Option 2, because the first option would leave the port without a second agent "
            "on weekends.\n")
    found = [(f.entity, f.text) for f in passages.find(0, text)]
    assert not [t for _, t in found if t.startswith("This ")], found
    assert any(e == "DELIBERATIVE" and t.startswith("We recommend Option 2") for e, t in found), found


def test_the_cells_of_a_table_weighing_options_are_deliberative(passages):
    text = ("OPTIONS\n\nOption\nAdvantages\nDisadvantages\n\n"
            "1. Keep the current\npatrol schedule\n\n"
            "No cost to the other squads;\nthe overtime budget holds.\n\n"
            "The east lots stay uncovered on weekends for\nanother season.\n\n"
            "2. Add a second\nweekend unit\n\n"
            "Covers the east lots and reassures the tenants.\n\n"
            "Overtime runs past the budget by July.\n\n"
            "RECOMMENDATION\n\n"
            "The parking office will post the new hours at every entrance.\n")
    found = {f.text.replace("\n", " ") for f in passages.find(0, text) if f.entity == "DELIBERATIVE"}
    assert {"No cost to the other squads; the overtime budget holds.",
            "Covers the east lots and reassures the tenants.",
            "Overtime runs past the budget by July."} <= found, found
    assert not {t for t in found if "parking office will post" in t or t.startswith(("1.", "2."))}, found


def test_a_paragraphs_number_is_no_count_and_no_part_of_the_technique_after_it(passages):
    text = ("3.2 Agents work out of the tribal department's office rather than the agency building, so that their\n"
            "vehicles are not recognized. Controlled buys are set up through a source who is related to the seller.\n\n"
            "3.4 Agents keep a log of the calls.")
    found = passages.find(0, text)
    assert not [f.text for f in found if f.entity == "LE_STATISTIC"], found
    techniques = [f for f in found if f.entity == "LE_TECHNIQUE"]
    assert any(f.text.startswith("Agents work out") and "so that their" in f.explanation for f in techniques), found
    # a count opening a line is still one
    assert [f.text for f in passages.find(0, "12 agents were assigned to the crossing every night.")
            if f.entity == "LE_STATISTIC"] == ["12"]


@pytest.mark.parametrize("text,figure", [
    ("Commander: Federal Agent Dariush K. Nowak. 35 agents on the move.", "35"),
    ("• 27 screening lanes open across the complex", "27"),
    ("Her company shipped to the same consignee 11 times in 2023, each time under the reporting value.", "11"),
])
def test_agents_deployed_lanes_open_and_how_often_a_scheme_ran_are_counts(passages, text, figure):
    assert figure in [f.text for f in passages.find(0, text) if f.entity == "LE_STATISTIC"], text


def test_people_hurt_in_an_incident_told_are_no_scheme_count(passages):
    text = "Two cars collided on the bridge and 3 victims were taken to the hospital."
    assert not [f.text for f in passages.find(0, text) if f.entity == "LE_STATISTIC"]


@pytest.mark.parametrize("text,cue", [
    ("One possibility is to fold the pilot into the regional program.", "a possible course"),
    ("The alternative is to keep the current schedule and revisit it in the spring.", "a possible course"),
    ("Would it be better to phase this in by district?", "a possible course"),
    ("Counsel suggests striking the last sentence of the notice.", "a change suggested"),
    ("Before we finalize, I would like OGC to look at the indemnity clause.", "unsettled position"),
    ("I am not sure this is the right call for the region.", "unsettled position"),
])
def test_plain_ways_of_weighing_a_choice_are_deliberative(passages, text, cue):
    found = [f for f in passages.find(0, text) if f.entity == "DELIBERATIVE"]
    assert found and cue in found[0].explanation, (text, found)


@pytest.mark.parametrize("text", [
    "Before you sign the form, read the instructions on the back page.",
    "The evidence suggests using stolen identities was the main method of the ring.",
    "The alternative fuel vehicles were delivered to the motor pool in March.",
])
def test_instructions_and_findings_are_not_plain_weighing(passages, text):
    assert not [f for f in passages.find(0, text) if f.entity == "DELIBERATIVE"], text


@pytest.mark.parametrize("text,cue", [
    ("Shipments under 10 kilograms are not referred to the U.S. Attorney.", "prosecution or case-acceptance criterion"),
    ("The pole camera was moved to the utility pole across from the garage in May.", "location of sensors"),
])
def test_a_class_of_cases_not_taken_and_where_a_camera_was_put_are_techniques(passages, text, cue):
    found = [f for f in passages.find(0, text) if f.entity == "LE_TECHNIQUE"]
    assert found and cue in found[0].explanation, (text, found)


def test_an_application_not_accepted_is_no_case_criterion(passages):
    assert not [f for f in passages.find(0, "Applications that are not accepted will be returned to the sender.")
                if f.entity == "LE_TECHNIQUE"]


def test_agents_lost_or_needed_are_a_staffing_level_but_phones_lost_in_a_chase_are_not(passages):
    for text, figure in [("The district lost 9 agents to retirement and has not replaced them.", "9"),
                         ("The sector needs 4 more agents on the midnight shift.", "4")]:
        found = [f for f in passages.find(0, text) if f.entity == "LE_STATISTIC"]
        assert [f.text for f in found] == [figure] and "staffing level" in found[0].explanation, found
    assert not [f for f in passages.find(0, "The suspect lost 3 phones during the chase.") if f.entity == "LE_STATISTIC"]
