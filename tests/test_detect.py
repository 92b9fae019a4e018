"""Each recognizer on positive and negative examples, the hyphenation/wrap handling of
load, policy decisions (senior signers, office addresses, press releases) and consistency."""
from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from redactor.codes import Policy, code_findings
from redactor.detect import detect, get_detector
from redactor.load import load_document

from conftest import make_pdf


def findings_for(tmp_path: Path, lines: list[str]):
    doc = load_document(make_pdf(tmp_path / "t.pdf", lines))
    return doc, detect(doc, get_detector())


def found(tmp_path: Path, lines: list[str]) -> dict[str, str]:
    return {f.text: f.entity for f in findings_for(tmp_path, lines)[1]}


def found_of(tmp_path: Path, lines: list[str], entity: str) -> set[str]:
    """What is detected as `entity` in a one-page record of these lines."""
    return {t for t, e in found(tmp_path, lines).items() if e == entity}


def people_in(tmp_path: Path, lines: list[str]) -> set[str]:
    return found_of(tmp_path, lines, "PERSON")


def people_in_narrow_lines(tmp_path: Path, lines: list[str]) -> set[str]:
    """The names found in tightly set lines (9 pt, 1.3 leading: table cells and wrapped prose keep
    single line breaks), each with its line breaks read as spaces."""
    doc = load_document(make_pdf(tmp_path / "t.pdf", lines, fontsize=9, leading=1.3))
    return {" ".join(f.text.split()) for f in detect(doc, get_detector()) if f.entity == "PERSON"}


def assert_withheld_and_released(tmp_path: Path, lines: list[str], withheld: str, released: str) -> None:
    """The policy proposes the name `withheld` and no text holding `released` (a senior official)."""
    doc, findings = findings_for(tmp_path, lines)
    texts = proposed(doc, findings)
    assert withheld in texts, texts
    assert not {t for t in texts if released in t}, texts


def proposed(doc, findings=None) -> set[str]:
    """The texts the policy proposes for a document (detected here unless findings are given)."""
    findings = detect(doc, get_detector()) if findings is None else findings
    return {p.text for p in code_findings(doc, findings)[0].proposals}


POSITIVE = [
    # a dispatch printout's labels in capitals
    ("INCIDENT #: HP24-081977        TYPE: SUSP VESSEL", "HP24-081977", "CASE_NUMBER"),
    ("PRINTED 03/22/2024 07:14:52 BY USER HP2417", "HP2417", "BADGE_NUMBER"),
    ("CALL TAKER: HP3306  DISPATCHER: HP1874", "HP1874", "BADGE_NUMBER"),
    ("Case agent: DA Inv. Hamid Ybarra, #9600", "9600", "BADGE_NUMBER"),
    ("Evidence Tech. Tariq H. Halvorsen, #F-672", "F-672", "BADGE_NUMBER"),
    ("Samsung phone, blue case, IMEI 35 209911 448201 7", "IMEI 35 209911 448201 7", "ID_DOCUMENT_NUMBER"),
    ("The master holds TWIC TW4419028817 and a merchant credential.", "TWIC TW4419028817", "ID_DOCUMENT_NUMBER"),
    ("a white SUV, Arizona registration MX4 5775, pulled onto the shoulder", "MX4 5775", "LICENSE_PLATE"),
    ("the subject's vehicle, Texas KW1 4711, left the lot", "KW1 4711", "LICENSE_PLATE"),
    ("Call him at (202) 555-0143 today.", "(202) 555-0143", "PHONE_NUMBER"),
    ("Desk: 202-555-0178 ext. 4410", "202-555-0178 ext. 4410", "PHONE_NUMBER"),
    ("Cell 202.555.0199 after hours", "202.555.0199", "PHONE_NUMBER"),
    ("International: +1 202 555 0111", "+1 202 555 0111", "PHONE_NUMBER"),
    ("Mobile: 2025550122", "2025550122", "PHONE_NUMBER"),
    ("Write to maria.delgado@ice.dhs.gov for access.", "maria.delgado@ice.dhs.gov", "EMAIL_ADDRESS"),
    ("Subject SSN 123-45-6789 on file.", "SSN 123-45-6789", "US_SSN"),
    ("Alien registration A012-345-678 was verified.", "A012-345-678", "A_NUMBER"),
    ("The A-file A 123 456 789 was pulled.", "A 123 456 789", "A_NUMBER"),
    ("DOB: 03/14/1971", "03/14/1971", "DATE_OF_BIRTH"),
    ("Date of Birth: March 4, 1965", "March 4, 1965", "DATE_OF_BIRTH"),
    ("Refer to Case No. DA12BR09DA0012 for details.", "DA12BR09DA0012", "CASE_NUMBER"),
    ("Logged as EV-2009-004512 by the duty officer.", "EV-2009-004512", "CASE_NUMBER"),
    ("Officer badge #4471 responded.", "4471", "BADGE_NUMBER"),
    ("A Texas plate TX 7GHK-221 was seen.", "7GHK-221", "LICENSE_PLATE"),
    ("He resides at 1432 West Mesquite Lane, Apt 4B, in town.", "1432 West Mesquite Lane, Apt 4B", "STREET_ADDRESS"),
    ("SA Rebecca Thornton interviewed the driver.", "Rebecca Thornton", "PERSON"),
    ("The call was placed by Chief Ortiz yesterday.", "Ortiz", "PERSON"),
    ("Seized items were logged by K. Saltonstall at the port.", "K. Saltonstall", "PERSON"),
    ("The driver, Rigoberto QUEZADA ALCÁNTAR, was detained.", "Rigoberto QUEZADA ALCÁNTAR", "PERSON"),
    ("Passport number G07140982 was retained.", "G07140982", "ID_DOCUMENT_NUMBER"),
    ("The practitioner's DEA registration BM4417302 was suspended.", "BM4417302", "ID_DOCUMENT_NUMBER"),
    ("He filed under application number KX2204518 in March.", "KX2204518", "ID_DOCUMENT_NUMBER"),
    ("She was booked under number C44-210937 at the county jail.", "C44-210937", "CASE_NUMBER"),
    ("The form listed 987 65 4412 as the claimant's number.", "987 65 4412", "US_SSN"),
    ("Kevin Marsh (DEA) and Paula Ortiz (FBI) attended.", "Kevin Marsh", "PERSON"),
    ("Interviewed: Haverford, Kendrick L. at the port.", "Haverford, Kendrick L.", "PERSON"),
    ("Hi Bethany,", "Bethany", "PERSON"),
    ("Thanks, Marisol", "Marisol", "PERSON"),
    ("Our records list your date of birth as 09/08/1961.", "09/08/1961", "DATE_OF_BIRTH"),
    ("Records checks returned an SSN of 123-45-6789 and two prior removals.", "123-45-6789", "US_SSN"),
    ("He was driving a pickup bearing Texas plates 486-NMT when stopped.", "486-NMT", "LICENSE_PLATE"),
    ("She gave a home address of 4992 Sotol Avenue in Socorro, Texas to the agents.",
     "4992 Sotol Avenue in Socorro, Texas", "STREET_ADDRESS"),
    ("A search of the residence at 6117 Calle Olmo, Imperial Beach, California 84064 found ledgers.",
     "6117 Calle Olmo, Imperial Beach, California 84064", "STREET_ADDRESS"),
    ("IRS Bethany E. Nakagawa contacted the port director by phone.", "Bethany E. Nakagawa", "PERSON"),
    ("cc: Imogen Pemberton, Management and Program Analyst", "Imogen Pemberton", "PERSON"),
    ("Delacroix then contacted Wendell Villaseñor by phone at the port.", "Wendell Villaseñor", "PERSON"),
    ("Office: 202/555-0143", "202/555-0143", "PHONE_NUMBER"),
    ("Tel: 555-0134 (desk)", "555-0134", "PHONE_NUMBER"),
    ("Reach me at extension 4410.", "4410", "PHONE_NUMBER"),
    ("SID number TX04471234 on file.", "TX04471234", "CASE_NUMBER"),
    ("Booking number 2009-004512 assigned.", "2009-004512", "CASE_NUMBER"),
    ("VIN 1FTFW1ET5DFC10312 recorded.", "VIN 1FTFW1ET5DFC10312", "CASE_NUMBER"),
    ("Investigation number HQ12AR09HQ0001 opened.", "HQ12AR09HQ0001", "CASE_NUMBER"),
    ("Border Crossing Card number MX1234567 was seized.", "MX1234567", "ID_DOCUMENT_NUMBER"),
    ("Driver license DL# T1234567 from Texas.", "DL# T1234567", "ID_DOCUMENT_NUMBER"),
    ("Her date of birth, 03/04/1980, was confirmed.", "03/04/1980", "DATE_OF_BIRTH"),
    ("Agents stage at the Kilo 26 staging area before dawn.", "the Kilo 26 staging area", "OPERATIONAL_SITE"),
    ("Hits near the Arroyo Seco sensor string are logged.", "the Arroyo Seco sensor string", "OPERATIONAL_SITE"),
    ("The team sits at mile marker 41 on Highway 83 each night.", "mile marker 41 on Highway 83", "OPERATIONAL_SITE"),
    ("Report every hit at grid square 14-C.", "grid square 14-C", "OPERATIONAL_SITE"),
    ("Hits on sensor string RB-7 in the Cottonwood Wash are answered first.",
     "sensor string RB-7 in the Cottonwood Wash", "OPERATIONAL_SITE"),
    ("Groups rest at the bedding corridor below Juniper Canyon before dawn.",
     "the bedding corridor below Juniper Canyon", "OPERATIONAL_SITE"),
    ("Interdiction units wait at the Pilot travel center off exit 212 on weekends.",
     "the Pilot travel center off exit 212", "OPERATIONAL_SITE"),
    ("The tower sits at coordinates 32.4471 N, 110.9152 W above the valley.",
     "coordinates 32.4471 N, 110.9152 W", "OPERATIONAL_SITE"),
    ("Referrals from the Zapata checkpoint lane 3 go to the canine team.", "the Zapata checkpoint lane 3", "OPERATIONAL_SITE"),
    ("The camera is at 31.3345, -110.9421 on the ridge.", "31.3345, -110.9421", "OPERATIONAL_SITE"),
    ("He resides at 412 Cottonwood Crossing, Lot 12, in Nogales, Arizona.",
     "412 Cottonwood Crossing, Lot 12, in Nogales, Arizona", "STREET_ADDRESS"),
    ("Domicilio: Calle Morelos 123, Colonia Centro, Ciudad Juarez, Chihuahua",
     "Calle Morelos 123, Colonia Centro, Ciudad Juarez, Chihuahua", "STREET_ADDRESS"),
    ("Her mailing address is P.O. Box 4471, Bisbee, Arizona 85603.", "P.O. Box 4471, Bisbee, Arizona 85603", "STREET_ADDRESS"),
    ("He lives at 2204 Heron Point Road, Kenai, AK, 99611 with his mother.",
     "2204 Heron Point Road, Kenai, AK, 99611", "STREET_ADDRESS"),
    ("Receipt number EAC0912345678 was issued.", "EAC0912345678", "CASE_NUMBER"),
    ("The complaint was sworn out by SA Fenella J. Villarreal-Ochoa before the magistrate.",
     "Fenella J. Villarreal-Ochoa", "PERSON"),
    ("cc: Kaczmarczyk, Dagny, Sergeant", "Kaczmarczyk, Dagny", "PERSON"),
    ("From: DI Jovan F. Vukovich", "Jovan F. Vukovich", "PERSON"),
    ("For questions about this notice, contact Tobenna Petrosyan at the office.", "Tobenna Petrosyan", "PERSON"),
    ("The vehicle is registered to Seong-min Ekwueme.", "Seong-min Ekwueme", "PERSON"),
    # a number sign after a rank and a name with a particle
    ("Sgt. de la Garza #54081 will call back.", "54081", "BADGE_NUMBER"),
    # a DEA registration whose check digit holds
    ("The last audit, of a pharmacy registered under AW0295510, found 4 errors.", "AW0295510", "ID_DOCUMENT_NUMBER"),
    # a records check's "returns to" names the owner, surname first too
    ("Plate 491-HJX; the registration returns to Demir, Anatoly of Kent.", "Demir, Anatoly", "PERSON"),
    ("Vessels moor at berth 22 on the Barbours Cut wharf before the boarding.", "berth 22 on the Barbours Cut wharf", "OPERATIONAL_SITE"),
    ("Agents wait at the Ship Shoal 28 platform overnight.", "the Ship Shoal 28 platform", "OPERATIONAL_SITE"),
    ("Cargo goes through the Gate B checkpoint at Terminal North.", "the Gate B checkpoint at Terminal North", "OPERATIONAL_SITE"),
    ("The documentation lists his passport as Z3748011.", "Z3748011", "ID_DOCUMENT_NUMBER"),
    ("A gray sedan with Louisiana tag DWP 14A was seen.", "DWP 14A", "LICENSE_PLATE"),
    ("Account No. 4471-0099-1234 was frozen.", "4471-0099-1234", "CASE_NUMBER"),
    ("ID No. TX-88812345 was on file.", "TX-88812345", "ID_DOCUMENT_NUMBER"),
    ("Taxpayer number 987-65-4321 was listed.", "987-65-4321", "US_SSN"),
    ("Call Agent Ruiz at 601-555-0185 (cell).", "601-555-0185 (cell)", "PHONE_NUMBER"),
    ("- Ostrowski, Rashida (witness)", "Ostrowski, Rashida", "PERSON"),
    # identifiers of many kinds after their labels, and shapes that are identifiers alone
    ("Badge numbers 4410, 5521 and 6630 were reissued.", "6630", "BADGE_NUMBER"),
    ("The prescriber (NPI 1457302291) signed every order.", "NPI 1457302291", "ID_DOCUMENT_NUMBER"),
    ("CDL\nQRTS7W22XK10", "CDL\nQRTS7W22XK10", "ID_DOCUMENT_NUMBER"),
    ("The skiff, hull ID KVP40119C808, was towed in.", "KVP40119C808", "ID_DOCUMENT_NUMBER"),
    ("Serial number F9KXT2C3Q1 was etched on the case.", "F9KXT2C3Q1", "ID_DOCUMENT_NUMBER"),
    ("The claimant (last four of SSN 8812) called twice.", "8812", "US_SSN"),
    ("The matter is file KSW 19-2204 in the tracker.", "KSW 19-2204", "CASE_NUMBER"),
    ("Benefits went to claim file D-31 447 902 last year.", "D-31 447 902", "CASE_NUMBER"),
    ("A review opened in May (J-5521-60218-R) found the same.", "J-5521-60218-R", "CASE_NUMBER"),
    ("Control number 19MAR22NWSD0412-3KQT was assigned.", "19MAR22NWSD0412-3KQT", "CASE_NUMBER"),
    ("Purchases were made on card 4121 0099 5530 1187 that week.", "4121 0099 5530 1187", "CASE_NUMBER"),
    ("Transfers went to XXXXXX5519 at a credit union.", "XXXXXX5519", "CASE_NUMBER"),
    ("The surveillance aircraft N731PD circled the lot.", "N731PD", "CASE_NUMBER"),
    ("She was stopped (DOB 3 March\n1971) at the port.", "3 March\n1971", "DATE_OF_BIRTH"),
    # a city of several words with a particle or a hyphen
    ("She lives at 6681 Larkmead Road, Havre de Grace, MD 21078 with her son.",
     "6681 Larkmead Road, Havre de Grace, MD 21078", "STREET_ADDRESS"),
    ("He moved to 4 Elm Road, Winston-Salem, NC 27101 in May.", "4 Elm Road, Winston-Salem, NC 27101", "STREET_ADDRESS"),
    # a dispatch log's capitals, and a birth date in parentheses after a name
    ("SUBJ 1 ON VSL: GUTIERREZ, MARGARETHE DOB 24 JANUARY 1975. NO ID.", "24 JANUARY 1975", "DATE_OF_BIRTH"),
    ("The car was driven by Vesna Okafor (May 5, 1973; Montana DL 1128758420117).", "May 5, 1973", "DATE_OF_BIRTH"),
    ("Witness Mark Ellis (4/12/81) saw the van leave.", "4/12/81", "DATE_OF_BIRTH"),
    # device, bank, school and licence numbers after their labels; a case number wrapped in a cell
    ("The tablet (IMEI 356104229871534) was seized.", "IMEI 356104229871534", "ID_DOCUMENT_NUMBER"),
    ("A Dell laptop, S/N 7TQ2HX31, was imaged.", "S/N 7TQ2HX31", "ID_DOCUMENT_NUMBER"),
    ("Wires came from routing 044000024 into his account.", "044000024", "ID_DOCUMENT_NUMBER"),
    ("The payments went to acct. ending 7731902 at the credit union.", "7731902", "CASE_NUMBER"),
    ("The roster gives her Student ID 20481173 and a campus address.", "20481173", "ID_DOCUMENT_NUMBER"),
    ("He held an Ohio DL OH T2291 44871 on the day of the stop.", "DL OH T2291 44871", "ID_DOCUMENT_NUMBER"),
    ("A Pennsylvania CDL PA 41 220 917 was found in the cab.", "CDL PA 41 220 917", "ID_DOCUMENT_NUMBER"),
    ("Disbursed under loan 7718204460 to a shell company.", "7718204460", "CASE_NUMBER"),
    ("Only WAC2290118834 is still pending in our list.", "WAC2290118834", "CASE_NUMBER"),
    ("Referred\nK-2031-6604-\nRS\n04/02/2023", "K-2031-6604-\nRS", "CASE_NUMBER"),
    ("The matter (OI-41-2290-T) went to the grand jury.", "OI-41-2290-T", "CASE_NUMBER"),
    # a crew member's number after a surname and given name in capitals, with no middle initial
    ("M12 OYELARAN, TOBIAS #K-318 22:10:05 22:10:11 22:19:40", "K-318", "BADGE_NUMBER"),
    # a lettered number after a rank, a surname and a comma, wrapped in a table cell
    ("Ofc. Lindqvist,\nT4471", "T4471", "BADGE_NUMBER"),
    ("Hamid Okoro, EMP 00512238, and the rest of the crew", "EMP 00512238", "BADGE_NUMBER"),
    ("The crew read the HIN KQW55012F707 off the transom.", "HIN KQW55012F707", "ID_DOCUMENT_NUMBER"),
    ("The trawler, official number O.N. 1098455, was boarded.", "O.N. 1098455", "ID_DOCUMENT_NUMBER"),
    # a licence number of five groups, A-number digits after their label, a card's last four digits
    ("His Florida driver's license, W426-532-78-412-0, was suspended.", "W426-532-78-412-0", "ID_DOCUMENT_NUMBER"),
    ("Alien number 078-412-559 appears on the I-213.", "078-412-559", "A_NUMBER"),
    ("Credit card ending in 4417 was used at the pump.", "4417", "ID_DOCUMENT_NUMBER"),
    # another agency's file number, written with its office's two acronyms
    ("The county was notified (their file NYPD TARU 23-1187).", "NYPD TARU 23-1187", "CASE_NUMBER"),
    # an evidence item number whose first group is a letter and a digit
    ("Seized items were logged as item R4-22-1107-03 in the vault.", "R4-22-1107-03", "CASE_NUMBER"),
    ("Blue Ford Escape, Ohio 722-PLM, was seen twice.", "722-PLM", "LICENSE_PLATE"),
    # a name given only as what someone went by, unquoted
    ("She paid a man she knew only as Dario to fill in the forms.", "Dario", "ALIAS"),
]


@pytest.mark.parametrize("line,expected,entity", POSITIVE)
def test_recognizer_finds(tmp_path: Path, line: str, expected: str, entity: str):
    assert found(tmp_path, [line]).get(expected) == entity


NEGATIVE = [
    # a card that is no payment card, ending in a month
    "The report card ending in June was mailed home.",
    # the last subject of a committee's name
    "It was endorsed in testimony before the Subcommittee on Border, Maritime, and Global Counterterrorism.",
    # a date in parentheses after a law's or a meeting's name, or of this century, is no birth date
    "The Smith Act (June 28, 1940) still applies to the case.",
    "The briefing with the Sector Chief (March 3, 2024) went well.",
    "THE CALL CAME IN AT THE MARINA DESK",
    "REPORT OF INVESTIGATION",
    "Callers from Dallas, Texas 75202 and Mesa, Arizona 85201 were counted.",
    "Items 1, #4 and #5 were photographed in place.",
    "U.S. Customs and Border Protection and ICE met in El Paso on May 3, 2009.",
    "Operation Armas Cruzadas began in 2008 under 18 U.S.C. 554.",
    "The Office of Field Operations issued 1,524 notices in FY 2009.",
    "Officer safety training is mandatory for all staff.",
    "Director, Field Operations (DFO), Miami",
    "Training Stakeholders",
    "- DFO, Denver",
    "- SAC, Portland",
    "- Project Blue Lantern (PBL) is an outreach program run by the field office.",
    "Unidad Especializada en Delincuencia Financiera (UEDF) staff attended.",
    "IV. Business Requirements",
    "Action Item: Each Port Director will name a liaison.",
    "- DFO, Atlanta",
    "The office in Laredo, Texas opened in May.",
    "Send it to P.O. Box 1234 in El Paso.",
    "The case was assigned in 2010 to the office 4 team.",
    "Report 2 of the investigation in FY2009.",
    "The vehicle registration was renewed in 2019 and the loan of $40,000 was repaid.",
    "The Laredo Sector covers the Rio Grande from Del Rio to Zapata.",
    "The Port of Nogales has 12 lanes.",
    "The pull-off is used by hikers.",
    "The Alien Transfer Exit Program began in 2008.",
    "Santa Teresa port of entry reopened.",
    "Austin Police Department assisted.",
    "The task force covers Doña Ana, Luna, and Hidalgo counties.",
    "Stations in Yuma, Blaine and Laredo reported.",
    "Funding for the Gulf Coast HIDTA Interdiction Initiative was renewed.",
    "Crews enrolled in the Known Crewmember screening program use a separate lane.",
    "The Way Forward",
    "Pier 39 is a tourist attraction and Gate 3 is open to the public.",
    "cc: Laredo, Texas Field Office",
    "Please contact the Office of Field Operations or Customs and Border Protection for details.",
    "At future DFO and SAC Conferences the Chief Information Officer will speak.",
    "Property was seized at Louis Armstrong New Orleans International Airport on May 3.",
    "See GAO-19-4112 and records schedule DAA-0567-2021-0004.",
    "Violations of 26 U.S.C. 7201 and 46\nU.S.C. 70503 were charged in the cases reviewed.",
    "In 2009 the Tucson Sector opened a new station.",
    "The Annual Report FY 2012 covers both institutions.",
    "Grant EMW-2014-SS-00077-S01 funds the overtime; request 2024-USMS-01837 was answered.",
    "Write before 2023-10-05 about form DHS-4300-A and schedule 18-2211-04.",
    # a public report's number after "Report", and a road after a state's name
    "Report GAO-24-106123 was published in March; see also Virginia I-95 and Ohio 3-PLY.",
    # an audit report's own number and a FOIA request's, which open on their year
    "Report No. 2023-NR-044 was issued in May in answer to request 2022-OIG-00731.",
    "The effort is known only as Operation Nightfall inside the field office.",
    # a registration-shaped form number whose check digit fails
    "The DEA revised its Form AB1234567 for every registrant in 2019.",
    # a plate check returning to a company or a place names no one
    "The plate returns to Hertz Corporation; the agent returns to Tucson, Arizona on Monday.",
]


def test_a_slide_title_over_its_subtitle_is_not_a_signature(tmp_path: Path):
    got = found(tmp_path, ["Consequence Delivery System", "Briefing for the Office of Field Operations, May 26, 2008"])
    assert "Consequence Delivery System" not in got, got


@pytest.mark.parametrize("line", NEGATIVE)
def test_recognizers_leave_released_content_alone(tmp_path: Path, line: str):
    assert found(tmp_path, [line]) == {}


def test_a_name_that_runs_on_into_a_laws_name_names_the_law(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "law.pdf", [
        "Please look in particular at the paragraph about the Sex Offender Investigations Branch and the Adam Walsh",
        "Child Protection and Safety Act of 2006, Pub. L. No. 109-248, which designates the Marshals Service as",
        "the lead agency. Deputy Karl Brandt wrote the paragraph."], fontsize=10, leading=1.3))
    people = {f.text for f in detect(doc, get_detector()) if f.entity == "PERSON"}
    assert "Karl Brandt" in people and not any("Walsh" in p for p in people), people


def test_a_letters_addressee_above_a_street_address(tmp_path: Path):
    got = found(tmp_path, ["June 17, 2010", "", "Annika Lindqvist", "9156 Paloverde Lane",
                           "Imperial Beach, California 92032", "", "Dear Ms. Lindqvist:"])
    assert got.get("Annika Lindqvist") == "PERSON"
    assert not any("2010" in text for text in got)  # an address never runs across lines


def test_a_table_of_persons_and_vehicles(tmp_path: Path):
    got = found(tmp_path, ["PERSONS AND VEHICLES", "Name", "DOB", "Vehicle", "Arresting", "Officer",
                           "Bethany Ravensworth", "May 20, 1968", "966-JEW",
                           "Kendrick Haverford", "05/03/1990", "192-YBM"])
    assert got.get("Bethany Ravensworth") == "PERSON" and got.get("966-JEW") == "LICENSE_PLATE"
    assert got.get("May 20, 1968") == "DATE_OF_BIRTH" and got.get("05/03/1990") == "DATE_OF_BIRTH"
    assert got.get("Kendrick Haverford") == "PERSON" and got.get("192-YBM") == "LICENSE_PLATE"
    assert "Arresting" not in got and "Arresting\n\nOfficer" not in got


def test_identifiers_in_a_table_under_their_column_headers(tmp_path: Path):
    got = found(tmp_path, ["SUBJECTS", "Name", "FBI No.", "Case No.", "Jonah Whitcombe", "123456AB7",
                           "EL09NR10EL0033", "Priya Ramaswamy", "654321CD2", "2009-004512"])
    for cell in ("123456AB7", "EL09NR10EL0033", "654321CD2", "2009-004512"):
        assert cell in got, (cell, got)
    # a table of counts under a "Case No." header keeps its years and totals released
    got = found(tmp_path, ["Budget", "Case No.", "Fiscal year", "2009", "FY2010"])
    assert got == {}, got


def test_a_roster_with_a_badge_or_credential_column(tmp_path: Path):
    got = found(tmp_path, ["Name", "Agency", "Badge/", "Credential", "Cell", "Kaczmarczyk, Ignatius A.", "TSA",
                           "46-734", "912/555-0135", "Thistlewood, Leopoldo", "HSI", "S6593", "404-555-0172"])
    assert got.get("46-734") == "BADGE_NUMBER" and got.get("S6593") == "BADGE_NUMBER", got
    assert "TSA" not in got and "HSI" not in got


def test_a_system_named_by_its_code_word_and_a_system_noun(tmp_path: Path):
    from redactor.passages import PassageDetector
    found_systems = [f.text for f in PassageDetector().find(0, "Traces are logged in the SABLE gun-trace workbench daily.")
                     if f.entity == "INTERNAL_SYSTEM"]
    assert found_systems == ["the SABLE gun-trace workbench"], found_systems


@pytest.mark.parametrize("text,expected", [
    ("Query the Kestrel deconfliction log before any operation.", "the Kestrel deconfliction log"),
    ("Keys are signed out in the Gate Custody Tracker (GCT) at shift change.", "the Gate Custody Tracker (GCT)"),
    ("Items go into the property room evidence tracking database (PRETD) within a day.",
     "the property room evidence tracking database (PRETD)"),
    ("Results are posted on http://sentinel.ice.dhs.gov for the team.", "http://sentinel.ice.dhs.gov"),
    ("The rules are at \\\\cbpfs01\\shared\\targeting\\rules.xlsx for analysts.", "\\\\cbpfs01\\shared\\targeting\\rules.xlsx"),
    # a code word that records stay in, that rules run in daily, or that is traced in
    ("Incident reports stay in HARBOR Cloud until the case closes.", "HARBOR Cloud"),
    ("The notes remain in KESTREL Vault for a year.", "KESTREL Vault"),
    ("Search terms run nightly in QUARRYLINK before the morning brief.", "QUARRYLINK"),
    ("Payout tracing in LANTERN-ROLL", "LANTERN-ROLL"),
    # a store an office describes in lower case and names by its acronym, a code with what it is
    # in parentheses, a code word spelt lower-case first, a product-like name before a system noun
    ("Scores are entered in the Division training tracker (DTT) by the coordinator.", "the Division training tracker (DTT)"),
    ("Board file maintained in the GRPD early-warning file (EWS-2).", "the GRPD early-warning file (EWS-2)"),
    ("Case material is held in OI-CMS (case management system).", "OI-CMS (case management system)"),
    ("Our case is open in the eNOVA referral tool.", "the eNOVA referral tool"),
    ("Incident counts come from the CrimeView transit layer.", "the CrimeView transit layer"),
    ("Data was drawn from the PINWHEEL lender-risk model in May.", "the PINWHEEL lender-risk model"),
])
def test_internal_systems_shares_and_hosts(text, expected):
    from redactor.passages import PassageDetector
    got = [f.text for f in PassageDetector().find(0, text) if f.entity in ("INTERNAL_SYSTEM", "INTERNAL_URL")]
    assert expected in got, got


@pytest.mark.parametrize("text", [
    "Use the Laredo sector dashboard for daily numbers.",
    "Requests go through https://foia.cbp.gov or www.cbp.gov/foia.",
    "Use the Federal case tracking system and the National crime database.",
    "Travelers apply through the Electronic System for Travel Authorization (ESTA) online.",
    "The Freedom of Information Act (FOIA) requires agencies to respond.",
    "Items are entered within a day and reviewed by the custodian.",
    # an office's acronym that records stay in or are kept in is the office
    "The lead sheet stays in FDNS and the summary goes to the adjudicator.",
    "The board file is maintained in the GRPD early-warning file.",
    # a task force's way of working, a public system by its title-case name, an office's description
    "The BEST model pairs agents with local police; see the Sector tracking system.",
    "The Federal Bureau of Prisons database (SENTRY) and the Automated Targeting System are described publicly.",
])
def test_public_sites_and_office_dashboards_are_not_internal_systems(text):
    from redactor.passages import PassageDetector
    got = [f.text for f in PassageDetector().find(0, text) if f.entity in ("INTERNAL_SYSTEM", "INTERNAL_URL")]
    assert got == [], got


def test_a_subject_table_with_combined_column_headers(tmp_path: Path):
    got = found(tmp_path, ["Name", "Role", "DOB", "SSN / A-No.", "FBI No. / SID",
                           "Ostrowski, Rashida", "Witness", "21 Jan. 1987", "987-65-4329", "TX08411936",
                           "Featherstonhaugh, Gwendolyn S.", "Associate", "1953-10-20", "A-133-301-250", "LA0481127"])
    for cell in ("Ostrowski, Rashida", "21 Jan. 1987", "987-65-4329", "TX08411936",
                 "Featherstonhaugh, Gwendolyn S.", "1953-10-20", "A-133-301-250", "LA0481127"):
        assert cell in got, (cell, got)
    assert "Witness" not in got and "Associate" not in got


def test_a_name_cut_by_the_line_end_keeps_its_surname(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "w.pdf", ["x"]))
    page = doc.pages[0]
    page.text = "The subject was met by Wendell\nMarchetti at the port. Douglas\nOnly five lanes were open."
    from redactor.detect import _join_wrapped_surname
    from redactor.models import Finding
    det = get_detector()
    f = Finding(0, 23, 30, "Wendell", "PERSON", 0.85, "SpacyRecognizer", "x")
    assert _join_wrapped_surname(page.text, f, det).text == "Wendell\nMarchetti"
    g = Finding(0, 52, 59, "Douglas", "PERSON", 0.85, "SpacyRecognizer", "x")
    assert _join_wrapped_surname(page.text, g, det).text == "Douglas"  # "Only" is no surname


def test_a_name_wrapped_inside_a_paragraph_is_read_as_one(tmp_path: Path):
    """The tagger reads a paragraph with its line breaks made spaces, so a name split over two
    lines in running text is still a name; table cells keep their own lines."""
    src = tmp_path / "wrap.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    paragraph = ("The subject claimed to be a citizen of Mexico and gave no address. Wendell "
                 "Marchetti was driving a white pickup when the agents stopped it near the port.")
    page.insert_textbox(pymupdf.Rect(72, 72, 72 + pymupdf.get_text_length(paragraph[:74], fontsize=11) + 4, 300),
                        paragraph, fontsize=11, fontname="helv")
    doc.save(src)
    document = load_document(src)
    assert "Wendell\nMarchetti" in document.pages[0].text  # the name really is cut by the line end
    got = {f.text.replace("\n", " "): f.entity for f in detect(document, get_detector())}
    assert got.get("Wendell Marchetti") == "PERSON", got


def test_names_in_headers_signatures_and_lists(tmp_path: Path):
    got = found(tmp_path, [
        "From: Whitfield, Gregory A",
        "To: Lopez, Maria; Nguyen, Thomas",
        "Cc: Karen Oyelaran",
        "- Victor Almeida (Co-Chair) - Director, Field Operations (DFO), Miami",
        "- Helen Marsh, SAC, Seattle",
        "Regards,",
        "Paul Brennan",
        "Program Manager, Office of Field Operations",
    ])
    for name in ["Whitfield, Gregory A", "Lopez, Maria", "Nguyen, Thomas", "Karen Oyelaran",
                 "Victor Almeida", "Helen Marsh", "Paul Brennan"]:
        assert got.get(name) == "PERSON", (name, got)


def test_senior_signer_is_released_listed_staff_are_not(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "FROM: Marcus L. Whitaker",
        "Director",
        "Office of Investigations",
        "The working group includes SA Janet Morrow and Agent Liu.",
    ])
    proposals, released = code_findings(doc, findings)
    texts = {p.text for p in proposals.proposals}
    assert "Janet Morrow" in texts and "Marcus L. Whitaker" not in texts
    assert any(r.text == "Marcus L. Whitaker" and "senior" in r.reason for r in released)


def test_issuing_official_and_witness_of_a_testimony_are_released(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "Issued by: Wenonah D. Nwachukwu, Assistant Director, Enforcement Programs",
        "Questions go to SA Janet Morrow.",
    ])
    texts = proposed(doc, findings)
    assert "Janet Morrow" in texts and "Wenonah D. Nwachukwu" not in texts
    doc, findings = findings_for(tmp_path, ["STATEMENT OF", "WILLIAM H. ASHFORD", "Rear Admiral, U.S. Coast Guard",
                                            "The boarding team led by Petty Officer Dana Kline seized 14 bales."])
    # read as a law-enforcement record (a testimony is otherwise released as published)
    texts = {p.text for p in code_findings(doc, findings, context="law_enforcement")[0].proposals}
    assert "WILLIAM H. ASHFORD" not in texts and "Dana Kline" in texts


def test_a_senior_addressee_is_released_the_sender_below_them_is_not(tmp_path: Path):
    doc, findings = findings_for(tmp_path, ["Memorandum", "To", "Faustino Lindenmeyer",
                                            "Assistant Director, Enforcement Programs and Services",
                                            "From", "DUSM Ottoline Benslimane", "Deputy U.S. Marshal"])
    texts = proposed(doc, findings)
    assert "Faustino Lindenmeyer" not in texts and "Ottoline Benslimane" in texts, texts


def test_a_senior_title_before_the_name_or_a_signature_block_releases_the_official(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        '"Removals are up," said Director Joaquín R. Estrella. Later Estrella issued a memorandum.',
        "The Honorable Marcus R. Delacroix",
        "Ranking Member",
        "Chief Patrol Agent Harlan B. Redmond approved the answers. Agent Ruiz and SA Janet Morrow drafted them.",
        "U.S. Marshal Denise L. Farrow will speak; Deputy U.S. Marshal Ottoline Benslimane made the arrest.",
        "Port Director Kiri F. MacAulay and Assistant Port Director Ulla N. Tavares-Lima met.",
        "Our institutions operated above their rated capacity this year.",
        "Lionel J. Castellano",
        "Director",
        "Questions go to SA Dana Kline, Management and Program Analyst.",
        "Director: Adaeze Marchetti-Lund, Director, Elder Fraud Unit. Intake: Investigator Priscilla Okonjo.",
        "Reviewed by: Casimir Oduya-Hart, Special Agent in Charge, Omaha Field Office",
        "Prepared by: Leontyne Ballard-Ruiz, Group Supervisor, Omaha Field Office",
        "Prepared by: Anselm T. Vukovich, Assistant Director, Field Operations, Omaha",
        "cc: Marguerite L. Osei, Chief of Staff, Office of Field Operations",
        "Questions go to Assistant Special Agent in Charge Rosalind Q. Achterberg at the field office.",
        "cc: Hortensia M. Valdivia-Kerr, Attorney General (file); Benedikt O. Lindahl, Deputy Attorney General",
        "Approved for release by Ignatius R. Okonkwo-Baird, Deputy Assistant Inspector General for Audit.",
    ])
    proposals, released = code_findings(doc, findings)
    texts = {p.text for p in proposals.proposals}
    assert {"Janet Morrow", "Ruiz", "Dana Kline", "Ottoline Benslimane", "Ulla N. Tavares-Lima",
            "Priscilla Okonjo", "Leontyne Ballard-Ruiz", "Anselm T. Vukovich", "Marguerite L. Osei",
            "Rosalind Q. Achterberg", "Benedikt O. Lindahl"} <= texts, texts
    assert not texts & {"Joaquín R. Estrella", "Estrella", "Marcus R. Delacroix", "Harlan B. Redmond",
                        "Lionel J. Castellano", "Denise L. Farrow", "Adaeze Marchetti-Lund", "Casimir Oduya-Hart",
                        "Hortensia M. Valdivia-Kerr", "Ignatius R. Okonkwo-Baird"}, texts
    assert {r.text for r in released if "senior" in r.reason} >= {"Joaquín R. Estrella", "Lionel J. Castellano"}


def test_station_heads_foia_officers_and_addressees_after_for_or_a_dash_label_are_released(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "FOR: Wendell K. Abernathy, Special Agent in Charge, Denver Field Division",
        "March 3, 2024 – Prepared for Rosalind T. Ferreira, Federal Security Director",
        "Sent to the Patrol Agent in Charge, Ignatius P. Moreau, and to Deputy Patrol Agent in Charge Laura Varga.",
        "Please contact Government Information Specialist Tobias Renwick with questions.",
        "Sincerely,",
        "Maribel S. Okonkwo",
        "Associate General Counsel, FOIA/PA Officer",
        "CONCURRENCE",
        "Desmond Achterberg",
        "Associate Chief Counsel",
    ])
    texts = proposed(doc, findings)
    assert not texts & {"Wendell K. Abernathy", "Rosalind T. Ferreira", "Ignatius P. Moreau", "Maribel S. Okonkwo"}, texts
    assert {"Laura Varga", "Tobias Renwick", "Desmond Achterberg"} <= texts, texts


def test_title_case_phrases_of_common_words_are_not_people_nor_looked_for_alone(tmp_path: Path):
    # the document uses "training" and "checkpoint" as words: capitalised, they name things
    got = found(tmp_path, [
        "Refresher Training",
        "All officers complete the training before the Training Bulletin is issued to Checkpoint Support.",
        "The checkpoint stays open. Checkpoint staff read the TSA Blog; TSA posts there weekly.",
        "Agent Imogen Castellanos wrote to caspian.castellanos@example.gov; Castellanos called later.",
    ])
    assert not {t for t, e in got.items() if e == "PERSON" and ("Training" in t or "Checkpoint" in t or t == "TSA")}, got
    assert got.get("Imogen Castellanos") == "PERSON" and got.get("Castellanos") == "PERSON", got


def test_places_laws_and_headings_read_as_names_are_not_people(tmp_path: Path):
    people = people_in(tmp_path, [
        "The Drug Trafficking Vessel Interdiction Act of 2008 covers stateless vessels; interdiction is up.",
        "In FY 2011, ICE opened the Delaney Hall facility in Newark. The Doña Ana County Sheriff's Office "
        "and two county sheriffs joined.",
        "Way Ahead",
        "- The Director approved the expansion and SA Priya Raman will lead it.",
        "Secure Communities",
        "Secure Communities, which shares fingerprints between the FBI and DHS, was activated in many counties.",
        "| Otay Mesa, California | San Diego | Rail VACIS | Q3 |",
        "Precursors enter through Lázaro Cárdenas; the Deming Headlight reported the Denver International seizure.",
        "Subject: RE: checkpoint questions",
        "Sir,",
        "Hi Team,",
        "Option B. Reduce checkpoint hours.",
        "The board fined the licensee under 4 Pa.C.S. § 1518 for the second time.",
        "Protesters gathered on Hornbake Mall and paid each other through Cash App.",
        "Geographic Targeting Orders cover title companies; IRS Criminal Investigation agreed.",
        "Lobby: Harbor Court, Leilani Kaipo Boulevard.",
    ])
    assert people == {"Priya Raman"}, people


def _one_block(tmp_path: Path, text: str):
    """A page whose lines follow each other as in a laid-out record (no blank line between)."""
    pdf = pymupdf.open()
    pdf.new_page().insert_text((50, 72), text, fontsize=9)
    pdf.save(tmp_path / "block.pdf")
    doc = load_document(tmp_path / "block.pdf")
    return {f.text: f.entity for f in detect(doc, get_detector())}


def test_names_wrapped_tabled_with_an_initial_or_in_notes_addresses(tmp_path: Path):
    got = _one_block(tmp_path, "\n".join([
        "Please send questions about course credit to Obinna E. Abeyta. Staff may also call",
        "Government Information Specialist Efrain",
        "W. Al-Amin at +1-480-555-0125. The Harry S. Truman Library lent the exhibit.",
        "Roster",
        "Member",
        "Agency",
        "Ben-David,",
        "Lorcan",
        "Bernalillo",
        "Sheriff",
        "Lutterodt, Folasade",
        "+1-713-555-0147",
        "Tucson, Arizona",
        "----- Forwarded by Tavita Price/ELP/USBP/CBP/DHS on 03/10/2008 09:12 AM -----",
        "Teodoro Jovanovic/LBG/ELP/USBP/CBP/",
        "DHS@DHS",
    ]))
    assert {k for k, v in got.items() if v == "PERSON"} == {
        "Obinna E. Abeyta", "Efrain\nW. Al-Amin", "Ben-David,\nLorcan", "Lutterodt, Folasade"}, got
    assert got.get("Tavita Price/ELP/USBP/CBP/DHS") == "EMAIL_ADDRESS", got
    assert got.get("Teodoro Jovanovic/LBG/ELP/USBP/CBP/\nDHS@DHS") == "EMAIL_ADDRESS", got


def test_public_contacts_are_released_personal_ones_are_not(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "Report tips to the ICE Tip Line at 1-866-555-0142 or call the press office at (202) 555-0188.",
        "Requests: foia@example.gov. Case questions: Maria Lopez, maria.lopez@example.gov, 202-555-0143.",
        "Field office main line (public): 907-555-0131. Agent Ruth Ng, cell: 907-555-0177.",
    ])
    texts = proposed(doc, findings)
    assert {"maria.lopez@example.gov", "202-555-0143", "Maria Lopez", "907-555-0177"} <= texts
    assert not texts & {"1-866-555-0142", "(202) 555-0188", "foia@example.gov", "907-555-0131"}, texts
    # the office named earlier in the sentence, the line wrapped before the number
    doc = load_document(make_pdf(tmp_path / "wrapped.pdf", [
        "You may also contact the agency's FOIA Public Liaison by writing to the address above or",
        "calling (540) 555-0163. Agent Maria Lopez can be reached at 202-555-0143."], fontsize=10, leading=1.3))
    texts = proposed(doc)
    assert "202-555-0143" in texts and "(540) 555-0163" not in texts, texts
    # an office's public number, community relations line and named mailbox; not an agent's
    doc, findings = findings_for(tmp_path, [
        "Write to the Litigation Section through its Touhy mailbox, Litigation.Touhy@example.gov.",
        "Scheduling goes to the San Antonio District Office at its public number, (210) 555-0122.",
        "Residents may call the Sector Community Relations office at (520) 555-0114.",
        "Agent Maria Lopez can be reached at 202-555-0143 or in her mailbox, maria.lopez@example.gov.",
    ])
    texts = proposed(doc, findings)
    assert {"202-555-0143", "maria.lopez@example.gov"} <= texts, texts
    assert not texts & {"Litigation.Touhy@example.gov", "(210) 555-0122", "(520) 555-0114"}, texts


def test_only_a_press_release_heading_makes_a_record_public(tmp_path: Path):
    policy = Policy.load()
    for lines, context in [
        (["District of New Mexico • FOR IMMEDIATE RELEASE • October 2, 2023", "Agents arrested Dana Kline."], "public"),
        (["Local Press Release • Release Date: August 8, 2023", "Agents arrested Dana Kline."], "public"),
        (["From: Iwasaki, Gideon", "Subject: Fwd: Route 14 box hits", "I'd hold the press release until after the arrests."],
         "law_enforcement"),
        (["From: Public Affairs", "Subject: draft", "PRESS RELEASE", "Agents arrested Dana Kline."], "law_enforcement"),
        # an annual report's title makes a publication; a sentence that mentions one does not
        (["Office of Investigations", "Annual Report to the Governor, FY 2022", "Agents arrested 41 people."], "published"),
        # a news release known by its release line or its dateline, without the heading
        (["Office of Inspector General", "For release March 3, 2025 · Media contact: Office of Communications",
          "Agents arrested Dana Kline."], "public"),
        (["Office of Inspector General", "Two clinic owners sentenced for billing fraud",
          "TOPEKA, Kan. -- Two clinic owners were sentenced today, the U.S. Attorney announced."], "public"),
        (["Subject: RE: statement", "TOPEKA, Kan. -- Two clinic owners were sentenced today."], "law_enforcement"),
        (["Fraud Unit: Quarterly Statistics", "The totals below feed the Unit's Annual Report.",
          "Agents arrested 41 people."], "law_enforcement"),
    ]:
        doc = load_document(make_pdf(tmp_path / "t.pdf", lines))
        assert policy.infer_context(doc) == context, lines


def test_a_published_record_is_released_as_published_but_an_identity_number_is_not(tmp_path: Path):
    lines = ["STATEMENT OF", "Helen Marsh", "Director, Office of Field Operations", "BEFORE THE SUBCOMMITTEE ON BORDER SECURITY",
             "Last quarter agents made 1,312 arrests and seized 4,118 pounds of marijuana.",
             "Agents use thermal imaging cameras to locate groups crossing at night.",
             "For more information, contact Dana Kline at (202) 555-0177.",
             "One removal, A-number A012-345-678, was printed here by mistake."]
    doc, findings = findings_for(tmp_path, lines)
    proposals, _ = code_findings(doc, findings)
    assert proposals.record_context == "published"
    assert {p.text for p in proposals.proposals} == {"A012-345-678"}, proposals.proposals
    # the same text in an internal memo is not a publication
    doc, findings = findings_for(tmp_path, ["MEMORANDUM FOR: Field Office Directors", *lines[1:]])
    proposals, _ = code_findings(doc, findings)
    assert proposals.record_context == "law_enforcement"
    assert {"Dana Kline", "(202) 555-0177", "1,312"} <= {p.text for p in proposals.proposals}
    # the same page marked for internal use is no publication: its figures are withheld
    doc, findings = findings_for(tmp_path, ["LAW ENFORCEMENT SENSITIVE", *lines])
    proposals, _ = code_findings(doc, findings)
    assert proposals.record_context == "law_enforcement" and "1,312" in {p.text for p in proposals.proposals}


def test_office_address_is_released_home_address_is_not(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "U.S. Department of Homeland Security",
        "425 Franklin Street, NW",
        "The witness lives at 88 Cedar Hollow Road in Maple Falls.",
    ])
    texts = proposed(doc, findings)
    assert "88 Cedar Hollow Road" in texts and "425 Franklin Street, NW" not in texts
    # a park's letterhead, and the new office an agency moves to, are the agency's
    doc, findings = findings_for(tmp_path, [
        "Lassen Volcanic National Park",
        "38050 Manzanita Lake Road",
        "Mineral, California 96063",
        "The district office will move to leased space at 2750 Larkspur Drive, Redding, California, in June.",
        "The complainant lives at 61 Juniper Flat Road, Shingletown, California.",
    ])
    texts = proposed(doc, findings)
    assert any("61 Juniper Flat Road" in t for t in texts), texts
    assert not {t for t in texts if "38050" in t or "2750 Larkspur" in t}, texts
    # an office named a clause earlier does not make a claimant's address the office's
    doc, findings = findings_for(tmp_path, [
        "The Department of Labor Security Unit found four more claims filed from one address, 77 Wren Hollow Lane, Bowie.",
    ])
    assert any("77 Wren Hollow Lane" in t for t in proposed(doc, findings))


def test_a_federal_building_or_a_letterhead_address_on_every_page_is_the_offices(tmp_path: Path):
    path = tmp_path / "letter.pdf"
    pdf = pymupdf.open()
    for body in (["The offices move to the Tate Federal Building, 640 Grove Street, in May.",
                  "The witness lives at 88 Cedar Hollow Road in Maple Falls."], ["Sincerely,"]):
        page = pdf.new_page()
        for i, line in enumerate(body):
            page.insert_text((72, 72 + 18 * i), line, fontsize=11)
        page.insert_text((72, 760), "2210 Lockwood Avenue, Reno, Nevada 89502", fontsize=9)  # running footer
    pdf.save(path)
    doc = load_document(path)
    texts = proposed(doc)
    assert "88 Cedar Hollow Road" in texts, texts
    assert not {t for t in texts if "640 Grove" in t or "2210 Lockwood" in t}, texts


def test_a_us_attorneys_district_line_over_an_address_makes_it_the_offices(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "U.S. Department of Justice", "United States Attorney's Office", "", "District of Oregon", "",
        "1000 SW Third Avenue, Portland, Oregon 97204", "", "The defendant lives at 4410 NE Alberta Street, "
        "Portland, Oregon 97211."])
    texts = proposed(doc, findings)
    assert not {t for t in texts if "1000 SW Third" in t}, texts
    assert {t for t in texts if "4410 NE Alberta" in t}, texts


def test_a_firms_suite_and_a_footer_line_on_every_page_are_office_addresses(tmp_path: Path):
    path = tmp_path / "letter.pdf"
    pdf = pymupdf.open()
    for body in (["Tupou Fifita, Esq.", "Harwell Pike & Strand LLP", "1220 Commerce Street, Suite 1400",
                  "Dallas, Texas 75202",
                  "The annuitant lived at 4417 Quail Run Drive, Apt. 12, Mesquite, Texas."], ["Sincerely,"]):
        page = pdf.new_page()
        for i, line in enumerate(body):
            page.insert_text((72, 72 + 18 * i), line, fontsize=11)
        page.insert_text((72, 760), "1900 E Street, NW - Washington, DC 20415 - www.opm.gov/oig", fontsize=9)
    pdf.save(path)
    texts = proposed(load_document(path))
    assert any("4417 Quail Run Drive" in t for t in texts), texts
    assert not {t for t in texts if "1220 Commerce" in t or "1900 E Street" in t}, texts


def test_surname_first_names_after_a_lead_or_before_a_role(tmp_path: Path):
    people = people_in(tmp_path, [
        "cc: Ostrowski, Marisol, Group Supervisor, Yuma Resident Office",
        "Extract run March 3, 2024 by Haverkamp, Tobias; questions to the unit.",
        "Processing note: terms run in the index; reviewer Kettunen, Ayelet",
        "cc: Brandvold, Lucinda, Watch Commander",
        "The unit moved from Salem, Virginia to Tucson, Arizona last May.",
        "The letter came from Salem, Virginia.",
    ])
    assert {"Ostrowski, Marisol", "Haverkamp, Tobias", "Kettunen, Ayelet", "Brandvold, Lucinda"} <= people, people
    assert not people & {"Salem, Virginia", "Tucson, Arizona", "Watch Commander"}, people


def test_given_names_of_many_countries_but_not_titles_from_name_lists(tmp_path: Path):
    people = people_in(tmp_path, [
        # a given name of Faker's Twi list, which gender-guesser lacks
        "The agent interviewed Akosua Mensah about the shipment.",
        "Marshal Corliss P. Abernathy approved the operations plan.",
    ])
    assert "Akosua Mensah" in people, people
    # "Marshal" is a given name only in Faker's locale-neutral list, which is not read
    assert not {t for t in people if t.startswith("Marshal")}, people
    names = get_detector().names.given
    assert {"adebowale", "akosua", "ozioma"} <= names and not {"marshal", "abril", "blessing"} & names


def test_names_under_a_role_column_but_not_two_cells_read_as_one(tmp_path: Path):
    cells = ["Date", "Place", "Reported", "by", "March 2,", "2024", "Sierra", "Vista", "Marcus", "Ellison",
             "March 9,", "2024", "Marion", "Drone", "over the dam", "Carmen", "Whitfield"]
    # a table read cell by cell, then a paragraph
    doc = load_document(make_pdf(tmp_path / "table.pdf", [*cells, "", "A drone was seen near the dam."],
                                 fontsize=9, leading=1.3))
    people = {f.text.replace("\n", " ") for f in detect(doc, get_detector()) if f.entity == "PERSON"}
    assert {"Marcus Ellison", "Carmen Whitfield"} <= people, people
    assert not {p for p in people if "Sierra" in p or "Vista" in p or "Marion" in p or "Drone" in p}, people


def test_a_home_address_wrapped_across_lines_is_found_whole(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "wrapped.pdf", [  # one paragraph: the address wraps
        "The witness, who gave an address of 4410", "Juniper Ct., Apt. 2, Yuma, AZ 85364, left at noon."], leading=1.2))
    got = {f.text: f.entity for f in detect(doc, get_detector())}
    assert got.get("4410\nJuniper Ct., Apt. 2, Yuma, AZ 85364") == "STREET_ADDRESS", got


def test_an_address_on_a_numbered_road_or_after_a_two_letter_direction(tmp_path: Path):
    got = found(tmp_path, ["Rafael A. Gutierrez, Esq.", "1100 N.W. Loop 410, Suite 700", "San Antonio, Texas 78213",
                           "", "The witness lives at 2200 State Highway 90 West, Castroville.",
                           "Agents stopped the car near 14 Highway 9 exits that night."])
    assert got.get("1100 N.W. Loop 410, Suite 700") == "STREET_ADDRESS", got
    assert got.get("2200 State Highway 90 West") == "STREET_ADDRESS", got
    assert not {t for t, e in got.items() if e == "STREET_ADDRESS" and "14 Highway" in t}, got


def test_an_email_address_as_ocr_reads_it_withholds_the_name_before_the_at(tmp_path: Path):
    got = found(tmp_path, ["For questions contact the Section Chief", "via email at raymond.kowalski (adhs,gov.",
                           "See subsection (a) of the order and 12 (a)(b) gov."])
    assert got.get("raymond.kowalski") == "EMAIL_ADDRESS", got
    assert [t for t, e in got.items() if e == "EMAIL_ADDRESS"] == ["raymond.kowalski"], got


def test_form_cells_under_upper_case_badge_and_plate_labels(tmp_path: Path):
    got = found(tmp_path, ["BADGE", "S-3391", "VEHICLE", "Make / model", "Plate", "2019 Ford Edge", "7KPW214"])
    assert got.get("S-3391") == "BADGE_NUMBER" and got.get("7KPW214") == "LICENSE_PLATE", got


def test_a_document_number_is_withheld_on_every_page_it_appears(tmp_path: Path):
    path = tmp_path / "two.pdf"
    pdf = pymupdf.open()
    for line in ("Re: DEA Registration BM4417302", "Letter of Admonition – BM4417302 – page 2"):
        pdf.new_page().insert_text((72, 72), line, fontsize=11)
    pdf.save(path)
    doc = load_document(path)
    pages = {f.page for f in detect(doc, get_detector()) if f.text == "BM4417302"}
    assert pages == {0, 1}, pages


def test_a_staffing_grid_cut_by_a_page_break_keeps_its_headers_on_the_next_page(tmp_path: Path):
    path = tmp_path / "grid.pdf"
    pdf = pymupdf.open()
    first = ("Post coverage in the district is set out below.\n\nFacility\nPosts under contract\nPosts filled\n\n"
             "North tower\n24 posts\n17 filled\n\nSouth annex\n14 posts\n10 filled")
    pdf.new_page().insert_text((72, 72), first, fontsize=11)
    pdf.new_page().insert_text((72, 72), "Warehouse lot\n5 posts\n3 filled\n\nThe review ends here.", fontsize=11)
    pdf.save(path)
    doc = load_document(path)
    figures = [(f.page, f.text) for f in detect(doc, get_detector()) if f.entity == "LE_STATISTIC"]
    assert (1, "5") in figures and (1, "3") in figures, figures


def test_a_date_in_the_prose_after_a_dob_column_is_no_birth_date(tmp_path: Path):
    got = found(tmp_path, ["Subject", "Name", "DOB", "Kwame Osei-Bonsu", "March 2, 1979",
                           "Synopsis", "On June 14, 2024, the subject applied for a passport at the Miami Passport Agency."])
    assert got.get("March 2, 1979") == "DATE_OF_BIRTH" and got.get("June 14, 2024") != "DATE_OF_BIRTH", got


def test_press_release_gets_no_proposals(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "NEWS RELEASE - FOR IMMEDIATE RELEASE",
        "Assistant Secretary Julia Brandt announced the results in Tucson.",
        "Contact: Public Affairs, (202) 555-0100",
    ])
    proposals, released = code_findings(doc, findings)
    assert proposals.record_context == "public" and proposals.proposals == []
    assert released  # what was found is reported, not proposed


def test_a_surname_with_particles_is_withheld_whole_where_used_alone(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "Present: Beatriz de la Cruz (Compliance) and Giedre T. Ruiz de Velasco (Investigations).",
        "de la Cruz reported on the exclusion list. Ruiz de Velasco asked for the March figures.",
        "De la Cruz will circulate the draft; de Velasco seconded.",
    ])
    texts = {" ".join(f.text.split()) for f in findings if f.entity == "PERSON"}
    assert {"de la Cruz", "De la Cruz", "Ruiz de Velasco", "de Velasco"} <= texts, texts


def test_consistency_same_name_and_short_form_everywhere(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "SA Maria Lopez led the interview.",
        "Later, Agent Lopez wrote the report; Maria Lopez signed it.",
    ])
    texts = [f.text for f in findings]
    assert texts.count("Maria Lopez") == 2 and "Lopez" in texts


def test_hyphenated_and_wrapped_names_map_to_boxes_on_each_line(tmp_path: Path):
    src = tmp_path / "wrap.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 400, 200), "The interview was conducted by Special Agent "
                        "Bartholomew\nOyelaran-Whitcombe of the field office, with the coordi-\n"
                        "nation unit present.", fontsize=11)
    doc.save(src)
    loaded = load_document(src)
    assert "coordination unit" in loaded.pages[0].text  # hyphen at the line end rejoined
    findings = detect(loaded, get_detector())
    proposals, _ = code_findings(loaded, findings)
    name = next(p for p in proposals.proposals if p.text.startswith("Bartholomew"))
    assert name.text.split() == ["Bartholomew", "Oyelaran-Whitcombe"]
    assert len(name.boxes) == 2  # one box per line fragment
    assert name.boxes[0][1] < name.boxes[1][1]


def test_recognizers_run_in_the_order_they_were_added():
    # Presidio's registry returns a set: of two equal results the first recognizer's is kept, so
    # a name's explanation (and what later steps made of it) changed from run to run.
    registry = get_detector().analyzer.registry
    order = [r.name for r in registry.get_recognizers("en", all_fields=True)]
    assert order == [r.name for r in registry.recognizers]
    assert order.index("StructuredNameRecognizer") < order.index("SpacyRecognizer")


def test_park_and_field_titles_job_titles_and_places_are_not_names(tmp_path: Path):
    lines = [
        "Prepared by: Imelda Q. Farnsworth, Supervisory Park Ranger, Grand Junction, 202-555-0100",
        "cc: Rosalind Achebe, Paralegal Specialist, Records Hub (by e-mail)",
        "The report came from Ranger Thaddeus Okonjo on the night shift.",
        "SUBJECT: Contract Guard Officer Staffing and Screening at the Federal Center",
        "Det. Abernathy and Det. Okafor will interview the witness again.",
        "The exercise was held at Marine Corps Air Station Yuma in March.",
        "A Marine stationed at Camp San Mateo, Rufus K. Abernathy, was arrested.",
        "Duty Officer, nights and weekends: 202-555-0164.",
    ]
    doc = load_document(make_pdf(tmp_path / "titles.pdf", lines))
    people = {f.text for f in detect(doc, get_detector()) if f.entity == "PERSON"}
    assert {"Imelda Q. Farnsworth", "Rosalind Achebe", "Thaddeus Okonjo", "Abernathy",
            "Rufus K. Abernathy"} <= people, people
    assert not people & {"Grand Junction", "Records Hub", "Paralegal Specialist", "Ranger Thaddeus Okonjo",
                         "Staffing", "Marine Corps", "Mateo, Rufus K.", "Duty"}, people


def test_inspectors_general_and_chief_rangers_who_sign_are_released(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "senior.pdf", [
        "TO: Philippa R. Osei, Assistant Inspector General for Investigations",
        "FROM: Casimir Delacroix-Ward, Special Agent in Charge, Southern Region",
        "Staffing at the field office remains a concern; Agent Hollis Penrose covers the region alone.",
        "Approved: Gwendolyn Achterberg, State Chief Ranger.",
    ]))
    texts = proposed(doc)
    assert "Hollis Penrose" in texts, texts
    assert not {t for t in texts if "Osei" in t or "Delacroix" in t or "Achterberg" in t}, texts


def test_names_with_particles_inner_capitals_and_titles_the_model_reads_as_an_office(tmp_path: Path):
    people = people_in(tmp_path, [
        "The truck was driven by Araceli Mendez de la Fuente on the interstate.",
        "His counsel is Tobias K. Oliveira da Costa of the regional office.",
        "Printed 05/02/2024 09:10 by St. Laurent, Margot - page 1 of 3",
        "Okwuosa, Miriam, Grant Grove Subdistrict",
        "Point of contact: DeShawn Whitcombe, Program Analyst.",
        "I patrolled the scale house with Trooper Abernathy. The load was checked.",
        "Rangers Okonkwo and Bellweather sat on the garden for two nights.",
        "At future DFO and SAC Conferences the attendees will report.",
    ])
    assert {"Araceli Mendez de la Fuente", "Tobias K. Oliveira da Costa", "St. Laurent, Margot", "Okwuosa, Miriam",
            "DeShawn Whitcombe", "Abernathy", "Okonkwo"} <= people, people
    assert not {t for t in people if "Conferences" in t or "Subdistrict" in t}, people


def _people_in_block(tmp_path: Path, lines: list[str]) -> tuple[set[str], dict]:
    got = _one_block(tmp_path, "\n".join(lines))
    return {k for k, v in got.items() if v == "PERSON"}, got


def test_natural_places_are_not_people_but_people_who_work_there_are(tmp_path: Path):
    people, got = _people_in_block(tmp_path, [
        "Name",
        "Duty location",
        "Okonkwo, Ifeyinwa",
        "Hot Springs",
        "Seasonal closures cover Coyote Wash, Lobo",
        "Canyon and the Piute Bluffs overlook.",
        "Her advocate is Torvald K. Brennan-Achebe of the Snake River Valley office.",
    ])
    assert not {p for p in people if any(w in p for w in ("Springs", "Canyon", "Lobo", "Bluffs"))}, got
    assert "Torvald K. Brennan-Achebe" in people and "Okonkwo, Ifeyinwa" in people, got


def test_double_surnames_and_initialled_names_alone_in_a_cell_are_names(tmp_path: Path):
    people, got = _people_in_block(tmp_path, [
        "Defendant",
        "Marisela T. Ochoa-Brandt",
        "Complaint reviewed with the county prosecutor on intake",
        "Desmond K. Farouk-Lindgren",
        "The file went to Perpetua Lindgren-Achebe for review.",
        "Training Requirements",
    ])
    assert {"Marisela T. Ochoa-Brandt", "Desmond K. Farouk-Lindgren", "Perpetua Lindgren-Achebe"} <= people, got
    assert not {p for p in people if "Training" in p or "Defendant" in p}, got


def test_surnames_with_a_lower_case_particle_and_quoted_nicknames(tmp_path: Path):
    people, got = _people_in_block(tmp_path, [
        "The binder went to Graciela de los Santos before the audit.",
        "van den Broek, Liesbeth M.",
        "Investigator",
        'Teodoro "Teddy" Villaseñor 9:14 AM',
        "Operation de la Sierra ended in the Valle de Juarez.",
        "The summary went to Emiliano Ortiz de Zarate and to Corazon B. Dela Paz on Friday.",
        "Plan A. Refresher Training starts Monday.",
    ])
    assert {"Graciela de los Santos", "van den Broek, Liesbeth M.", 'Teodoro "Teddy" Villaseñor',
            "Emiliano Ortiz de Zarate", "Corazon B. Dela Paz"} <= people, got
    assert not {p for p in people if "Sierra" in p or "Juarez" in p or "Training" in p}, got


def test_an_fbi_routing_line_and_a_state_cause_number(tmp_path: Path):
    got = found(tmp_path, ["cc: Ramirez, Elena V.", "1 - Tanaka, Kenji", "1 - Adeyemi, Folasade O.",
                           "Re: State of Texas v. Dustin Ray Cavender, Cause No. 2016CR4471 (186th District Court)"])
    assert {"Tanaka, Kenji", "Adeyemi, Folasade O.", "Dustin Ray Cavender"} <= {t for t, e in got.items()
                                                                               if e == "PERSON"}, got
    assert got.get("2016CR4471") == "CASE_NUMBER", got


def test_a_deputy_chief_patrol_agent_signing_is_not_released(tmp_path: Path):
    assert_withheld_and_released(tmp_path, ["Approved as amended.", "", "Steven L. Marchetti", "Deputy Chief Patrol Agent",
                                            "Tucson Sector", "", "Chief Patrol Agent Harlan B. Redmond approved it."],
                                 "Steven L. Marchetti", "Redmond")


def test_a_senior_title_before_a_point_of_contact_does_not_release_the_name(tmp_path: Path):
    assert_withheld_and_released(tmp_path, [
        "For questions regarding this initiative, contact ASTI Section Chief Marisol T. Quarrington at "
        "(202) 555-0147.",
        '"The review is finished," said Section Chief Everett P. Whitfield.'], "Marisol T. Quarrington", "Whitfield")


def test_whoever_speaks_for_the_agency_at_a_press_conference_is_released(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "press.pdf", [
        "Chief Deputy U.S. Marshal Alan P. Gresham will speak for the Northern District",
        "of Ohio at the press conference in Cleveland.", "",
        "Deputy Maria Lopez spoke with the suspect at the jail before the press conference.",
        "Agent Karl Brandt will brief the task force on Monday."], fontsize=10, leading=1.3))
    texts = proposed(doc)
    assert {"Maria Lopez", "Karl Brandt"} <= texts and "Alan P. Gresham" not in texts, texts


def test_a_senior_title_wrapped_onto_the_names_line_releases_the_official(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "wrapped.pdf", [
        "Prepared by SA Imelda Okafor of the station intelligence unit for the Patrol Agent in",
        "Charge, Leopold V. Szymanski-Ortega, who approved the schedule for the month.",
    ], fontsize=10, leading=1.3))
    proposals, released = code_findings(doc, detect(doc, get_detector()))
    texts = {p.text for p in proposals.proposals}
    assert "Imelda Okafor" in texts and "Leopold V. Szymanski-Ortega" not in texts, texts
    assert "Leopold V. Szymanski-Ortega" in {r.text for r in released}


def test_in_a_table_of_names_only_the_heads_are_released(tmp_path: Path):
    path = tmp_path / "attendance.pdf"
    pdf = pymupdf.open()
    lines = ["Attendance", "Name", "Office", "Present", "Oksana T. Whitcombe-Ruiz", "Director, Enforcement Bureau (chair)",
             "In person", "Florentyna Abernathy-Oyelowo", "Deputy Director, Investigations", "Teams"]
    pdf.new_page().insert_text((60, 72), "\n".join(lines), fontsize=10)
    pdf.save(path)
    doc = load_document(path)
    proposals, released = code_findings(doc, detect(doc, get_detector()))
    texts = {p.text for p in proposals.proposals}
    assert "Florentyna Abernathy-Oyelowo" in texts and "Oksana T. Whitcombe-Ruiz" not in texts, (texts, released)


def test_names_the_model_sets_aside_or_a_greeting_hides_are_still_found(tmp_path: Path):
    people = people_in(tmp_path, [
        # alone in a cell, where the model's own reading is set aside as a heading
        "Yusra Benhaddou",
        "Dear Priscilla Wanjiru-Hale:",
        "Hi Odalys Fairweather,",
        # a known given name after the comma, which the model calls a place
        "Reporting officer: Ofc. KASPRZYK-MENDEZ, Tamsin",
        "Anne-Marie Oyelowo signed the intake sheet.",
        # two given names and two surnames, one of them also a Mexican state's name
        "Also present: José Manuel Ibarra Guerrero, Esq. (counsel for the witness)",
        # places and programs stay released
        "Flights from San Pedro Sula arrive on Tuesdays.",
        "Operation Night Heron began in May.",
        "The Anti-Terrorism Contraband Enforcement Team met.",
        "The Sinaloa Cartel moved loads through Nuevo Laredo.",
        "EL PASO, Texas",
    ])
    assert {"Yusra Benhaddou", "Priscilla Wanjiru-Hale", "KASPRZYK-MENDEZ, Tamsin", "Anne-Marie Oyelowo",
            "José Manuel Ibarra Guerrero"} <= people, people
    assert not {t for t in people if any(w in t for w in ("Pedro", "Heron", "Terrorism", "Sinaloa", "PASO", "Dear"))}, people


def test_a_first_name_opening_a_message_body_before_a_dash(tmp_path: Path):
    got = found(tmp_path, ["From: Odile Marchand", "Subject: RE: open claims", "Thaddeus -",
                           "Ran the addresses you sent through the system."])
    assert got.get("Thaddeus") == "PERSON", got


def test_a_signer_initialling_beside_the_typed_name_is_released(tmp_path: Path):
    doc, findings = findings_for(tmp_path, ["FROM:", "Rosalind T. Achebe-Moore R. T. A.", "Director",
                                            "Office of Investigations"])
    assert "Rosalind T. Achebe-Moore" not in proposed(doc, findings)


def test_operations_bases_rivers_lines_and_timestamps_are_not_people(tmp_path: Path):
    people = people_in(tmp_path, [
        "Operation Dusty Harbor began on May 1. Why Dusty Harbor: the robberies rose.",
        "Dusty Harbor was staffed on overtime by the rail unit.",
        "Aircraft from Luke AFB and crews at the Watts Bar plant joined the exercise.",
        "Riders left the Red Line at Judiciary Square and the Main Reading Room closed early.",
        "Wed Mar 10 04:12:55 2010 UNIT 7 ENRT",
        "Medics from the Gila River Fire Department and the Gila River Indian Community responded.",
        "Leave is governed by 5 CFR Part 630, Subpart I.",
        "The witness, Odalys Fairweather, called the desk.",
    ])
    assert people == {"Odalys Fairweather"}, people


def test_a_table_header_running_into_an_operations_name_is_no_person(tmp_path: Path):
    got = found(tmp_path, ["Operation Night Owl", "Incidents, Night", "Owl", "49 incidents"])
    assert not {t for t, e in got.items() if e == "PERSON"}, got


def test_police_chiefs_and_deputy_chiefs_who_approve_or_chair_are_released(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "MEMORANDUM TO: Isadora V. Lindgren, Chief, Harbor Authority Police",
        "From:",
        "Cassius Obuya",
        "Special Agent-in-Charge, Western Region",
        "Board chair",
        "Philippa Ardent-Moss, Deputy Chief of Police",
        "Approved for briefing: Marisol T. Quarrington, Deputy Chief, Patrol Operations Bureau.",
        "Prepared by: Ignatius Hollowell, Deputy Chief, Patrol Operations Bureau.",
        "Officer Benedetta Szabo-Ruiz took the report.",
    ])
    texts = proposed(doc, findings)
    assert {"Ignatius Hollowell", "Benedetta Szabo-Ruiz"} <= texts, texts
    assert not texts & {"Isadora V. Lindgren", "Cassius Obuya", "Philippa Ardent-Moss", "Marisol T. Quarrington"}, texts


def test_particles_inside_surnames_and_an_assistant_us_attorney(tmp_path: Path):
    doc, findings = findings_for(tmp_path, [
        "Subjects: Lopez de Alba, Mustafa (DOB 28 January 1971)",
        "A customer in Tampa, Tobias ter Horst, paid the fee.",
        "Sgt. Van der Linde photographed the closet shelf.",
        "Assistant United States Attorney Oyinkansola Bamidele has authorized me to say so.",
        "United States Attorney Reginald P. Oduya announced the charges.",
    ])
    people = {f.text for f in findings if f.entity == "PERSON"}
    assert {"Lopez de Alba, Mustafa", "Tobias ter Horst", "Van der Linde", "Oyinkansola Bamidele"} <= people, people
    texts = proposed(doc, findings)
    assert "Oyinkansola Bamidele" in texts and "Reginald P. Oduya" not in texts, texts


def test_a_given_name_after_an_office_in_capitals_is_still_read(tmp_path: Path):
    # a word in capitals before a name is an office or a rank ("TFO", "CBP"), not part of the name;
    # a capitalised word is ("San Pedro Sula")
    people = people_in(tmp_path, ["Cleared by CBP Marisol Quarrington and ICE Obadiah Fenwick-Lusk on May 2.",
                                  "Flights from San Pedro Sula arrive on Tuesdays."])
    assert {"Marisol Quarrington", "Obadiah Fenwick-Lusk"} <= people, people
    assert not {t for t in people if "Pedro" in t}, people


def test_names_all_in_capitals_as_a_dispatch_printout_prints_them(tmp_path: Path):
    people = people_in(tmp_path, ["RP: OKONJO, FATIMA D. 619-555-0142", "OFFICER YESENIA T. WORTHINGALE ON SCENE",
                                  "UNIT H-495 ENRT, ETA 4", "SAN DIEGO, CA 92101", "LOCATION PHOENIX, ARIZONA"])
    assert {"OKONJO, FATIMA D.", "YESENIA T. WORTHINGALE"} <= people, people
    assert not {t for t in people if any(w in t for w in ("ETA", "DIEGO", "PHOENIX"))}, people


def test_investigators_titles_and_air_force_ranks_are_titles_not_names(tmp_path: Path):
    people = people_in(tmp_path, ["Case agent: DA Inv. Hamid Quillfeather, #9600",
                                  "Found by Inv. Quillfeather at 0631; logged by Evidence Tech. Tariq H. Marchbanks.",
                                  "SrA Rashida Lindqvist-Obi, 56th Maintenance Group", "PICKUP DRIVER FLED ON FOOT"])
    assert {"Hamid Quillfeather", "Tariq H. Marchbanks", "Rashida Lindqvist-Obi"} <= people, people
    assert not {t for t in people if t.startswith(("Inv", "DA ", "PICKUP", "DRIVER"))}, people


def test_police_abbreviations_wardens_and_printed_ranks_are_titles_not_names(tmp_path: Path):
    lines = {"Ofc. Eustace Quillhaven": "Eustace Quillhaven",
             "Sgt Bram Halvorsen took the statement.": "Bram Halvorsen",
             "Warden Declan Marrowby, badge 0178, imaged the phone.": "Declan Marrowby",
             "BM2 Jonas Freyberg boarded first.": "Jonas Freyberg",
             "Maj. Gen. Thaddeus Kettleworth approved the plan.": "Thaddeus Kettleworth"}
    for n, (line, name) in enumerate(lines.items()):
        (tmp_path / str(n)).mkdir()
        people = {t for t, e in found(tmp_path / str(n), [line]).items() if e == "PERSON"}
        assert people == {name}, (line, people)


def test_surname_first_names_in_a_semicolon_list_and_double_given_names(tmp_path: Path):
    people = people_in(tmp_path, ["Employees should see the nurse before ordering: Quarrell, Peggy H.; Hanrahan, Ivo; "
                                  "Bellweather, Annika D.",
                                  "Jaramillo, Marie-Claude",
                                  "Counties served: Doña Ana, Luna; Grant, Hidalgo; Sierra, Socorro."])
    assert {"Hanrahan, Ivo", "Jaramillo, Marie-Claude"} <= people, people
    assert not {t for t in people if any(w in t for w in ("Luna", "Hidalgo", "Socorro"))}, people


def test_a_personal_records_number_after_its_label_and_a_number_word(tmp_path: Path):
    got = found(tmp_path, ["Subject: Community enrollment no. TRC 41-7720; loan participation no. LNP-PL-009917.",
                           "Member No. 30417788 of the credit union; patient ID 5521983.",
                           "Agency Policy No. 14 and Directive 2310.1 apply."])
    ids = {t for t, e in got.items() if e != "PERSON"}
    assert {"TRC 41-7720", "LNP-PL-009917", "30417788", "5521983"} <= ids, got
    assert not {t for t in ids if t.startswith(("14", "2310"))}, got


def test_a_name_cut_at_the_end_of_a_long_line_of_prose(tmp_path: Path):
    lines = ["California DDS is referring the following initial claim for a CDI investigation. Claimant: Annika",
             "Thornbury, SSN 987-65-4320, DOB 1954-10-19, of 6681 Larkmead Road, Havre de Grace, MD 96460.",
             "Case agent: SA Ngozi Strand (1-571-555-0182; ngozi.strand@oig.example.gov). Analytics: Dakota",
             "Fernhollow, who runs the draw-pattern queries in the case system, joins the review in May.",
             "Final Report",
             "Prepared for the Regional Director"]
    people = people_in_narrow_lines(tmp_path, lines)
    assert {"Annika Thornbury", "Dakota Fernhollow"} <= people, people
    assert not {p for p in people if "Report" in p or "Prepared" in p}, people


def test_refuel_points_staging_turnouts_and_command_posts_are_operational_sites(tmp_path: Path):
    sites = found_of(tmp_path, ["Escort vehicles refueled at the Tolmans Gap refuel point and waited at the "
                                "Corvell Flat staging turnout.",
                                "The Denver Field Office opened its new command center in 1998."], "OPERATIONAL_SITE")
    assert {"the Tolmans Gap refuel point", "the Corvell Flat staging turnout"} <= sites, sites
    assert not {t for t in sites if "Denver" in t}, sites


def test_surname_first_names_wrapped_inside_a_table_cell(tmp_path: Path):
    # a narrow cell wraps after the comma or before the initial; a record number may share the row
    lines = ["CCN Subject Offense Disposition",
             "24FEB12NVNF0088-8GBC Brannigan,", "Ursula C.", "Bribery, gratuities",
             "Huang, Rohan", "F.", "Analyst",
             "Savannah,", "Georgia", "Port of entry"]
    people = people_in_narrow_lines(tmp_path, lines)
    assert {"Brannigan, Ursula C.", "Huang, Rohan F."} <= people, people
    assert not {p for p in people if "Savannah" in p or "Georgia" in p}, people


def test_aliases_handles_and_payment_tags_are_withheld_like_names(tmp_path: Path):
    aliases = found_of(tmp_path, [
        'Subject: Marguerite Rice (also uses "Nessa"), social media handle ghostledger77.',
        'The passenger, Lupita Zamora-Kent, known as "Shorty", was on supervised release.',
        'Paloma Fennimore, a/k/a "Lil Flaco", was seen Tuesday. @Kiki can you run the owner?',
        "Payments came from a user named x_silentpartner_x and the tag $CashKingMarco.",
        # what is not a person's alias: a program's name, an office's account, an e-mail, money,
        # and "handle" the verb
        'The program, known as "Secure Communities", began in 2008; follow @CBP and @DHSgov.',
        "Write to ana.ruiz@dhs.gov or Tavita Price/ELP/USBP/CBP/DHS@DHS; fees were $1,200.",
        "Officers handle 3rd-shift calls and handle 911 transfers."], "ALIAS")
    assert aliases == {"Nessa", "ghostledger77", "Shorty", "Lil Flaco", "@Kiki", "x_silentpartner_x",
                       "$CashKingMarco"}, aliases


def test_notes_addresses_with_any_surname_shape_and_their_office_path_is_no_name(tmp_path: Path):
    # a Lotus Notes routing block: the office path's capitals ("PANYNJ") are no surname in capitals
    lines = ["From:", "Corliss Haugen/PAPD/PANYNJ", "", "To:", "Bettina Ruiz/PAPD/PANYNJ@PANYNJ", "",
             "cc:", "Fionn O'Mara/PAPD/PANYNJ@PANYNJ, Yasmin T. Al-Hakim/PAPD/PANYNJ@PANYNJ"]
    findings = found(tmp_path, lines)
    assert findings.get("Fionn O'Mara/PAPD/PANYNJ@PANYNJ") == "EMAIL_ADDRESS", findings
    assert findings.get("Yasmin T. Al-Hakim/PAPD/PANYNJ@PANYNJ") == "EMAIL_ADDRESS", findings
    assert not {t for t, e in findings.items() if e == "PERSON" and "PANYNJ" in t}, findings


def test_a_rank_after_a_rank_a_rank_as_a_greeting_and_a_business_are_not_names(tmp_path: Path):
    lines = ["Subject: gate thefts", "", "Sarge,", "",
             "The yard camera at Travis Trucking is down again; Curtis Logistics has the same problem.", "",
             "Margaret Haugen", "Det. Sgt., Criminal Investigation Bureau", "312/555-0199"]
    people = people_in(tmp_path, lines)
    assert "Margaret Haugen" in people, people
    assert not {"Sarge", "Sgt", "Sgt.", "Travis Trucking", "Curtis Logistics"} & people, people


def test_a_given_name_wrapped_above_its_surname_in_a_narrow_cell(tmp_path: Path):
    lines = ["Opened Office Scheme Subjects SSN",
             "06/22/2021 Atlanta", "Counterfeit checks deposited by phone", "",
             "Daniel Okafor; Priya", "Venkataraman", "",
             "08/08/2022 Atlanta", "Rental assistance paid to a fictitious complex", "",
             "Lucia M.", "Whitcombe", "",
             "Austin", "Police", ""]
    people = people_in_narrow_lines(tmp_path, lines)
    assert {"Priya Venkataraman", "Lucia M. Whitcombe"} <= people, people
    assert not {p for p in people if "Police" in p}, people


def test_an_ssn_in_spaced_groups_above_a_street_like_word_is_no_street_address(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "t.pdf", ["Hoa Nguyen", "987 65 4329", "Larkspur",
                                                      "Drive-by of the listed addresses"], fontsize=9, leading=1.3))
    findings = {f.text: f.entity for f in detect(doc, get_detector())}
    assert not {t for t, e in findings.items() if e == "STREET_ADDRESS"}, findings
    assert findings.get("987 65 4329") == "US_SSN", findings


def test_a_line_officer_named_with_a_badge_is_withheld_whatever_the_title(tmp_path: Path):
    # a game warden who seized a phone, named with a badge, is a line officer; a warden who
    # approves, named by title alone, is the head of an institution
    assert_withheld_and_released(tmp_path, [
        "Seized June 17, 2023, 0915, by Warden Tomasz Brennan-Ruiz, badge C4471.",
        "",
        "Warden Patricia L. Okonkwo approved the transfer."], "Tomasz Brennan-Ruiz", "Okonkwo")


def test_every_name_a_plural_title_lists_and_a_surname_first_name_in_parentheses(tmp_path: Path):
    lines = ["Distribution: Patrol Agent in Charge; Watch Commanders Imelda Brzezinski and",
             "Tobiah de la Fuente; Sector Intelligence.",
             "Rangers Quispe and Laframboise sat on the garden for two nights.",
             "Agents Lopez and Ruiz",
             "The next day the garden was empty.",
             "Prepared by the station intelligence unit (Okonkwo, Wren) for the Patrol Agent in Charge.",
             "The annual report (Austin, Texas) is public."]
    people = people_in_narrow_lines(tmp_path, lines)
    assert {"Imelda Brzezinski", "Tobiah de la Fuente", "Quispe", "Laframboise", "Lopez", "Ruiz",
            "Okonkwo, Wren"} <= people, people
    assert not {p for p in people if "The" in p.split() or "Austin" in p}, people


def test_a_string_found_once_is_proposed_once_where_it_stands_and_again_where_it_recurs(tmp_path: Path):
    # a system name the passage rules found is not proposed a second time at its own place by the
    # consistency step; a later use of it, and a surname used alone, are still found
    doc, findings = findings_for(tmp_path, [
        "Source records are kept in SEABAG; case data in the WAVELINK source ledger.",
        "Agent Marisol Quarrington-Diaz reviewed the files.",
        "The SEABAG export was sent to Quarrington-Diaz on Friday."])
    places = [(f.page, f.start, f.end) for f in findings]
    assert len(places) == len(set(places)), findings
    seabag = [f for f in findings if f.text == "SEABAG"]
    assert len(seabag) == 2, findings
    assert sum(f.text == "Quarrington-Diaz" for f in findings) == 1, findings
    proposals = code_findings(doc, findings)[0].proposals
    spots = [(p.page, p.text) for p in proposals]
    assert spots.count((0, "SEABAG")) == 2, spots


def test_capitals_after_dispatch_words_a_crew_number_and_a_given_name_written_without_accents(tmp_path: Path):
    lines = ["23:44:12 [D1] PLATE RETURN ON TRAILER: REG TO OKONJO, HALIMA D., 1192 HERON LOOP",
             "M31 BRANDVOLD, SOREN H. #4471 23:42:30 23:42:41 23:51:10",
             "", "cc: Deputy Director, PFPA",
             "Vasconcelos, Joao, Contracting Officer Representative"]
    doc = load_document(make_pdf(tmp_path / "t.pdf", lines, fontsize=9, leading=1.3))
    findings = {f.text: f.entity for f in detect(doc, get_detector())}
    assert findings.get("OKONJO, HALIMA D.") == "PERSON", findings
    assert findings.get("BRANDVOLD, SOREN H.") == "PERSON", findings
    assert findings.get("4471") == "BADGE_NUMBER", findings
    assert findings.get("Vasconcelos, Joao") == "PERSON", findings
    assert not {t for t, e in findings.items() if e == "PERSON" and ("REG" in t or "TO " in t)}, findings


def test_lettered_headings_and_a_tables_header_cells_are_not_names(tmp_path: Path):
    lines = ["Appendix B. Definitions", "", "Annex A. Activation log extract (mids, January 17)", "",
             "V. Challenges / concerns", "",
             "Name", "Position", "Shift", "Imelda Brzezinski", "Investigator", "Day", "",
             "The report was signed by K. Saltonstall and reviewed by Agent B. Hollister."]
    people = people_in_narrow_lines(tmp_path, lines)
    assert {"K. Saltonstall", "B. Hollister", "Imelda Brzezinski"} <= people, people
    assert not {p for p in people if p.split()[-1] in ("Definitions", "Activation", "Challenges", "Shift")}, people


def test_a_found_case_number_makes_its_series_known_and_no_other_shape(tmp_path: Path):
    lines = ["The examiner opened case no. I21C0039911 in May.", "",
             "Case", "State", "Examiner",
             "I21C0044518 Ohio", "Merritt, Dana", "I22C0052290 Texas", "Ikeda, Joan", "",
             "Phone 202-555-0143 and form I-9 were filed on 2024-05-06, with 4400118 entries."]
    got = found(tmp_path, lines)
    assert got.get("I21C0044518") == "CASE_NUMBER" and got.get("I22C0052290") == "CASE_NUMBER", got
    assert not {t for t, e in got.items() if e == "CASE_NUMBER" and t not in
                {"I21C0039911", "I21C0044518", "I22C0052290"}}, got


def test_a_name_before_what_only_follows_a_person_and_no_header_field(tmp_path: Path):
    lines = ["Subject:", "RE: Dock inspection", "", "Importance:", "High", "",
             "Ikaika Mahoe, Esq.", "Harwell Pike & Strand LLP", "",
             "Detained: Farid Q. Odum (DOB 3-14-1964) and Tevita Lolohea (DOB 13 September 1986).",
             "Re: the annuity of Sandqvist, Ragnvald (deceased), claim 4.",
             "Mexico City, born of a 1990 accord, hosts the office."]
    got = people_in(tmp_path, lines)
    assert {"Ikaika Mahoe", "Tevita Lolohea", "Sandqvist, Ragnvald"} <= got, got
    assert not {t for t in got if "Importance" in t or "Mexico" in t or "Detained" in t}, got


def test_a_registration_in_a_table_of_aircraft_and_a_licence_with_its_state_in_an_identifier_column(tmp_path: Path):
    lines = ["4. Aircraft of interest", "", "Registration Reason", "Owner of record", "",
             "N72QX", "Registration suspected fraudulent", "", "N5518B", "Transponder off", "",
             "Subject", "Identifier", "", "Kowalski", "NV D04417731", "",
             "Form N400 and exhibit N2 were filed."]
    got = found(tmp_path, lines)
    assert got.get("N72QX") == got.get("N5518B") == "CASE_NUMBER", got
    assert got.get("NV D04417731") == "CASE_NUMBER", got
    assert "N400" not in got and "N2" not in got, got


def _grid_pdf(path: Path, top: float, rows: list[list[str]], xs: list[float], after: str = "") -> Path:
    """A page with a grid drawn as PDFs draw one: each cell's lines at its column's x, a wrapped
    cell taking more lines ("|" breaks a cell), a row below the tallest cell of the row above."""
    pdf = pymupdf.open()
    page = pdf.new_page()
    y = top
    for row in rows:
        height = 0
        for x, cell in zip(xs, row):
            for i, line in enumerate(cell.split("|")):
                page.insert_text((x, y + 11 * i), line, fontsize=9)
            height = max(height, len(cell.split("|")))
        y += 11 * height + 5
    if after:
        page.insert_text((xs[0], y + 12), after, fontsize=9)
    pdf.save(path)
    return path


def test_the_cells_under_a_post_or_storage_column_are_operational_sites(tmp_path: Path):
    """Read by where the words stand: a wrapped cell is one site, the other columns are not sites,
    and "Location" alone (most often a city) is no site column."""
    posts = _grid_pdf(tmp_path / "posts.pdf", 80, [
        ["Post", "Hours", "Armed", "Notes"],
        ["the Post 3A lobby lane on Golden|Gate Avenue", "0630–1830,|unstaffed 1130–1230", "Yes", "Relieved by the rover"],
        ["Post 22 at the 14th Street loading|dock", "0600–2000", "Yes", "Badge readers inoperative;|visual check only"],
    ], [72, 230, 320, 360], after="Our own inspectors make unannounced post inspections only on day shift, Monday to Thursday.")
    evidence = _grid_pdf(tmp_path / "evidence.pdf", 80, [
        ["Item", "Description", "Location", "Storage location"],
        ["1", "Black phone", "Phoenix, Arizona", "Cage D, Shelf 2"],
        ["2", "Ledger,|spiral bound", "Yuma, Arizona", "Bldg. 3, Rm 108 (main|evidence)"],
    ], [72, 110, 250, 360])
    sites = {" ".join(f.text.split()) for pdf in (posts, evidence)
             for f in detect(load_document(pdf), get_detector()) if f.entity == "OPERATIONAL_SITE"}
    assert sites == {"the Post 3A lobby lane on Golden Gate Avenue", "Post 22 at the 14th Street loading dock",
                     "Cage D, Shelf 2", "Bldg. 3, Rm 108 (main evidence)"}, sites


def test_a_surname_in_capitals_before_a_romanised_two_syllable_given_name(tmp_path: Path):
    got = people_in(tmp_path, ["One case drew discussion: CHOI Min-jun, on the list since 2019, was seen again.",
                               "Orders from the CBP Anti-smuggling unit and the ATF Follow-up team went out."])
    assert "CHOI Min-jun" in got, got
    assert not {t for t in got if "CBP" in t or "ATF" in t}, got


def test_a_number_word_inside_a_surname_after_a_given_name(tmp_path: Path):
    got = people_in(tmp_path, ["Officer Mary Many Horses and Sgt. Loretta Two Bulls arrived at 2210.",
                               "Grace Under Pressure was screened; During Interviews the staff left."])
    assert {"Mary Many Horses", "Loretta Two Bulls"} <= got, got
    assert not {t for t in got if "Under" in t or "During" in t}, got


def test_a_signature_block_over_a_station_line_is_a_name(tmp_path: Path):
    """The title and office lines under a name in a signature block are not part of a place name
    run on from it ("Lordsburg Station"); a name run on into a building's name still names it."""
    got = people_in_narrow_lines(tmp_path, [
        "I would ask the sector for two more agents on mids before asking for another tower.",
        "Quang F. Valderrama",
        "Supervisory Border Patrol Agent",
        "Lordsburg Station",
        "907-555-0135 x319 (office)",
        "",
        "The exhibit was lent by the Harry S. Truman Library for the month.",
    ])
    assert got == {"Quang F. Valderrama"}, got


def test_surname_first_names_wrapped_in_table_cells(tmp_path: Path):
    """A cell "Surname," / "Given" under a station cell is the cell's name, not the model's run
    from the station above; a wrapped cell with a middle initial is a name though the given name
    is not in the dictionary."""
    got = people_in_narrow_lines(tmp_path, [
        "Station", "Coordinator", "Telephone", "E-mail",
        "Nogales", "Lachance, Marisol", "602 555-0129 ext. 20", "marisol.x.lachance@example.gov",
        "",
        "Douglas", "Esposito-Reyes,", "Wojciech",
        "",
        "571 555-0166 ext. 29", "wespositoreyes@ops.example.gov",
        "",
        "Time", "Location", "Result", "Agent",
        "0205", "the lay-up corridor", "Group of 6, 4 apprehended",
        "Dobrev,", "Zebulon H.",
        "",
        "0419", "the ranch gate", "Sign cut, lost north of highway",
    ])
    assert {"Esposito-Reyes, Wojciech", "Dobrev, Zebulon H."} <= got, got
    assert not {n for n in got if "Douglas" in n}, got


def test_surname_first_cells_under_a_role_column(tmp_path: Path):
    """Under a role column ("Case agent", "Reviewer") a cell written surname first is a name though
    its given name is not in the dictionary, and its middle initial may wrap to the next line; a
    place written the same way is not."""
    got = people_in_narrow_lines(tmp_path, [
        "Case no.", "State", "Case agent",
        "I23C0035560", "Georgia", "Nwachukwu,", "Oluwaseun",
        "",
        "I23C0038816", "Arizona", "Nogales,", "Arizona",
        "",
        "Reviewer", "Office", "Date", "Comment",
        "Gallardo, Nalani", "H.",
        "",
        "Employee Relations", "4/30/2024", "Agree with the draft.",
    ])
    assert got == {"Nwachukwu, Oluwaseun", "Gallardo, Nalani H."}, got


def test_a_name_is_cut_before_the_title_line_under_it(tmp_path: Path):
    """The model runs a signature's name into the title line under it ("… Cardenas-Ochoa" /
    "Diversion"); the title's first word is then no surname to withhold elsewhere."""
    lines = ["Anyone may verify a registration through the Diversion Control Division public website.",
             "Sincerely,", "", "Tenzin Cardenas-Ochoa", "Diversion Program Manager", "",
             "Distribution: Watch Commanders Cormac Okimoto and Anneliese de la",
             "Rosa; Tucson Sector Intelligence."]
    doc = load_document(make_pdf(tmp_path / "t.pdf", lines, fontsize=9, leading=1.3))
    people = {f.text for f in detect(doc, get_detector()) if f.entity == "PERSON"}
    assert "Tenzin Cardenas-Ochoa" in people, people
    assert not {p for p in people if "Diversion" in p}, people
    assert "Anneliese de la\nRosa" in people, people


def test_a_signature_over_an_abbreviated_rank_line(tmp_path: Path):
    """A name alone on its line over an abbreviated rank and unit ("Det. Sgt., …") signs the
    message, though the small model reads the name as a place."""
    got = people_in_narrow_lines(tmp_path, [
        "The plate readers only alert on plates already on the hot list.",
        "",
        "Ines Choi",
        "Det. Sgt., Criminal Investigation Bureau, Port Newark",
        "312/555-0128",
    ])
    assert got == {"Ines Choi"}, got


def test_a_district_commander_signs_the_deputy_does_not(tmp_path: Path):
    assert_withheld_and_released(tmp_path, [
        "MEMORANDUM FOR:", "Zeynep Jaramillo", "Regional Director, FPS Region 9", "",
        "THROUGH:", "Cyrus Tiwari", "Deputy District Commander", "",
        "FROM:", "Magnus Drummond", "District Commander, Northern California District", "",
        "SUBJECT: Screening at the federal buildings"], withheld="Cyrus Tiwari", released="Magnus Drummond")


def test_a_birth_date_wrapped_in_a_dob_column_cell(tmp_path: Path):
    lines = ["Subject", "", "Name used", "True name", "DOB", "Address", "",
             "Ngozi MacAulay", "Zebulon Y. Pasternak", "January 24,", "1984", "8040 N. Farragut St., Apt. 3"]
    got = detect(load_document(make_pdf(tmp_path / "t.pdf", lines, fontsize=9, leading=1.3)), get_detector())
    assert {" ".join(f.text.split()) for f in got if f.entity == "DATE_OF_BIRTH"} == {"January 24, 1984"}, got


def test_a_location_column_beside_an_asset_column_places_equipment(tmp_path: Path):
    """"Location" beside "Asset" says where a camera tower or a sensor string stands; beside
    "Item" (the evidence test above) it is most often a city."""
    pdf = _grid_pdf(tmp_path / "assets.pdf", 80, [
        ["Asset", "Location", "Uptime"],
        ["Camera tower", "coordinates 31.5127 N, 108.6402 W", "49|percent"],
        ["Sensor string", "the lay-up corridor below Skeleton|Canyon", "88|percent"],
    ], [72, 150, 330], after="Between midnight and 0600 one unit usually covers the western half of the area.")
    sites = {" ".join(f.text.split()) for f in detect(load_document(pdf), get_detector())
             if f.entity == "OPERATIONAL_SITE"}
    assert "the lay-up corridor below Skeleton Canyon" in sites, sites
    assert not {s for s in sites if "percent" in s or "Camera" in s or "midnight" in s}, sites


def test_the_names_in_a_message_logs_contact_column_are_people(tmp_path: Path):
    """A phone's saved names under "Contact" are people, nicknames and all; an office directory's
    contact column names offices, and a count or "Unknown" names no one."""
    log = _grid_pdf(tmp_path / "log.pdf", 80, [
        ["#", "Date / time", "Dir.", "Contact", "Message"],
        ["1", "06/07 05:12", "In", "Kiki (Ukiah)", "tide is -1.4 sat morning. u going"],
        ["2", "06/12 11:03", "In", "Chef Tavita", "is this the abalone guy?"],
        ["3", "06/12 11:09", "Out", "Unknown", "who is this"],
    ], [64, 88, 172, 200, 324])
    directory = _grid_pdf(tmp_path / "directory.pdf", 80, [
        ["Office", "Contact", "Telephone"],
        ["Field Operations", "Public Affairs", "202-344-1780"],
        ["Tucson Sector", "Duty Officer", "520-748-3000"],
    ], [72, 220, 360])
    found_people = {f.text for pdf in (log, directory) for f in detect(load_document(pdf), get_detector())
                    if f.entity == "PERSON"}
    assert found_people == {"Kiki (Ukiah)", "Chef Tavita"}, found_people


def test_a_roster_line_with_a_camel_case_given_name_or_an_office_in_parts(tmp_path: Path):
    """"Tsosie, LaToya P." is one name; an office named in parts after the name ends it; the rest of
    a job title on the next line ("Contracting Officer" / "Representative") is no name."""
    got = people_in_narrow_lines(tmp_path, [
        "Annex B – Squad supervisors", "",
        "Tsosie, LaToya P., Narcotics – 1-907-555-0137 –", "latoya.tsosie@mail.example.us", "",
        "cc:", "Deputy Director, PFPA", "Beaulieu, Joao, Contracting Officer Representative",
        "Huang, Dmytro, Pentagon Police Department, Operations"])
    assert got == {"Tsosie, LaToya P.", "Beaulieu, Joao", "Huang, Dmytro"}, got


def test_a_name_wrapped_after_its_middle_initial_is_read_as_one(tmp_path: Path):
    got = people_in_narrow_lines(tmp_path, [
        "The draw checks were moved the same day to an account controlled by Esteban G.",
        "Kahananui, who lives at 8133 Paloma Verde Way, Cicero, IL."])
    assert got == {"Esteban G. Kahananui"}, got


def test_a_rosters_name_column_read_by_position_keeps_a_wrapped_nickname(tmp_path: Path):
    roster = _grid_pdf(tmp_path / "roster.pdf", 80, [
        ["Name", "Position", "Desk", "Home island"],
        ['Rolando "Roly"|Sarmiento', "Investigator|(Hawaii Island)", "215-555-0144", "Hilo"],
        ["CDL", "Licensing unit", "215-555-0100", "Oahu"],
    ], [72, 200, 320, 420])
    people = {" ".join(f.text.split()) for f in detect(load_document(roster), get_detector()) if f.entity == "PERSON"}
    assert people == {'Rolando "Roly" Sarmiento'}, people


def test_an_identifier_is_withheld_with_the_type_code_it_is_printed_with(tmp_path: Path):
    got = {f.text: f for f in findings_for(tmp_path, [
        "Carrier: Cascadia Cold Freight LLC, USDOT 3702264, out of Fresno.",
        "Our records show your licence as LA DL 009813542 and the firm's EIN 83-4470912.",
        "Hamid Strzelecki, EMP 00441103, signed the payroll record.",
        "Reporting officer Dana Reyes, badge 7356, took custody; the last four of the SSN were 4327."])[1]}
    for identifier in ("USDOT 3702264", "LA DL 009813542", "EIN 83-4470912", "EMP 00441103"):
        assert identifier in got, (identifier, sorted(got))
        assert "with its type code" in got[identifier].explanation
    # a label in words stays, and so does a code as long as the number after it
    assert "7356" in got and "badge 7356" not in got, sorted(got)
    assert "SSN 4327" not in got, sorted(got)


def test_an_agency_heading_a_roster_row_is_not_taken_for_the_badge_number_type_code(tmp_path: Path):
    doc = load_document(make_pdf(tmp_path / "t.pdf", [
        "Name", "Agency", "Badge/Credential", "Cell", "Al-Harazi, Anwar P.", "FBI", "4233017", "912/555-0115",
        "Kiyosaki, Xiomara D.", "DOT", "S2011", "251/555-0145"], fontsize=9, leading=1.3))
    got = {f.text: f.entity for f in detect(doc, get_detector())}
    assert "4233017" in got and "S2011" in got, got
    assert not any(text.startswith(("FBI", "DOT")) for text in got), got


def test_a_name_before_its_job_title_on_a_line_of_its_own(tmp_path: Path):
    got = people_in_narrow_lines(tmp_path, [
        "Training calendar", "Use-of-force policy update (mandatory)", "February 20",
        "Kaveh Vasquez-Lund, Training Officer", "Field office", "New Orleans, Special Agent",
        "Investigative Programs, Deputy Assistant Director"])
    assert "Kaveh Vasquez-Lund" in got, got
    assert not any("Orleans" in name or "Programs" in name for name in got), got


def test_a_name_running_into_a_district_or_sector_names_the_place(tmp_path: Path):
    got = people_in(tmp_path, ["cc: Deputy Superintendent", "Kirkpatrick, Nkechi, Grant Grove Subdistrict"])
    assert not any("Subdistrict" in name for name in got), got


def test_a_double_given_name_after_a_surname_in_capitals(tmp_path: Path):
    got = people_in(tmp_path, ["Subject: LIANG, Wei-Ming (DOB 03/14/1979)", "Driver: BARRAGAN-TOVAR, Ezequiel",
                               "The clerk, Mei-Ling HARROWGATE, was interviewed."])
    assert {"LIANG, Wei-Ming", "BARRAGAN-TOVAR, Ezequiel", "Mei-Ling HARROWGATE"} <= got, got


def test_a_quoted_alias_known_after_a_persons_role(tmp_path: Path):
    got = found(tmp_path, ['The informant, known as "Pelón", met with the case agent.',
                           'The program, known as "SafeStreets", was funded again.'])
    assert got.get("Pelón") == "ALIAS", got
    assert "SafeStreets" not in got, got


def test_a_surname_the_model_takes_for_a_place_after_an_abbreviated_rank(tmp_path: Path):
    got = people_in(tmp_path, ["Sgt. Ozturk and Cpl. Haverkamp arrived at 0214.", "Mr. Houston refused consent.",
                               "The unit moved to Ft. Bliss in May and then to St. Louis."])
    assert {"Haverkamp", "Houston"} <= got, got
    assert not any(name in ("Bliss", "Louis", "St. Louis") for name in got), got
