"""The public page's interface in Welsh, by its English words.

Written for engagebot and to be checked by the council's Welsh language officer (or a
translator they use, e.g. a member of Cymdeithas Cyfieithwyr Cymru) before a council goes live
in Welsh; see docs/public-page.md. Names (a council's, an area's) are put only where Welsh needs
no mutation before them (after a noun, after "Mae", at the start), and the phrases describing a
subscription are already in the soft-mutated form "am" and "i" call for.
"""

from __future__ import annotations

MONTHS = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip

WELSH: dict[str, str] = {
    # the frame of every page
    "Consultations and engagement": "Ymgynghori ac ymgysylltu",
    "consultations and engagement": "ymgynghori ac ymgysylltu",
    "Skip to main content": "Neidio i'r prif gynnwys",
    "Language": "Iaith",
    "Breadcrumb": "Briwsion bara",
    "Support links": "Dolenni cymorth",
    "your council": "eich cyngor",
    "Have your say on {council}'s plans and services, and see what we did with what people "
    "told us.": "Dweud eich dweud am gynlluniau a gwasanaethau {council}, a gweld beth "
    "wnaethom gyda'r hyn a ddywedodd pobl wrthym.",
    "Get e-mails about new activities": "Cael e-byst am weithgareddau newydd",
    "Atom feed of activities": "Ffrwd Atom o weithgareddau",
    "All activities as CSV (open data)": "Pob gweithgaredd fel CSV (data agored)",
    "All activities as JSON (open data)": "Pob gweithgaredd fel JSON (data agored)",
    "Accessibility statement": "Datganiad hygyrchedd",
    "Contact {council}:": "Manylion cyswllt {council}:",
    "Published by {council}. Only the named contact for each activity is shown; we publish "
    "nothing else about people.": "{council} sy'n cyhoeddi'r tudalennau hyn. Dim ond y "
    "cyswllt a enwir ar gyfer pob gweithgaredd a ddangosir; nid ydym yn cyhoeddi dim byd arall "
    "am bobl.",
    # the list, search and paging
    "Search results": "Canlyniadau chwilio",
    "page {n} of {count}": "tudalen {n} o {count}",
    "Search and filter": "Chwilio a hidlo",
    "Search": "Chwilio",
    "Area": "Ardal",
    "Topic": "Pwnc",
    "Status": "Statws",
    "All areas": "Pob ardal",
    "All topics": "Pob pwnc",
    "Any": "Unrhyw un",
    "Apply filters": "Defnyddio'r hidlyddion",
    "Clear filters": "Clirio'r hidlyddion",
    # Welsh counts take the singular noun: "12 gweithgaredd".
    "activity": "gweithgaredd",
    "activities": "gweithgaredd",
    "match your search": "yn cyfateb i'ch chwiliad",
    "Showing {first} to {last} of {total}": "Yn dangos {first} i {last} o {total}",
    "There are no activities to show for this search.": "Nid oes gweithgareddau i'w dangos ar "
    "gyfer y chwiliad hwn.",
    "Try fewer words, or": "Rhowch gynnig ar lai o eiriau, neu",
    "clear the filters": "cliriwch yr hidlyddion",
    "There are no activities to show.": "Nid oes gweithgareddau i'w dangos.",
    "Download this list as open data:": "Lawrlwytho'r rhestr hon fel data agored:",
    "Follow new activities with the": "Dilynwch weithgareddau newydd gyda'r",
    "Atom feed": "ffrwd Atom",
    "or": "neu",
    "by e-mail": "drwy e-bost",
    "Pages of results": "Tudalennau o ganlyniadau",
    "Previous": "Blaenorol",
    "Next": "Nesaf",
    "page": "tudalen",
    "Page {n}": "Tudalen {n}",
    "Open now: have your say": "Ar agor nawr: dweud eich dweud",
    "Opening soon": "Yn agor cyn bo hir",
    "Closed: we asked, you said, we did": "Wedi cau: gofynnon ni, dywedoch chi, gwnaethon ni",
    "Open": "Ar agor",
    "Closed": "Wedi cau",
    "Consultation": "Ymgynghoriad",
    "Engagement": "Ymgysylltu",
    # an activity
    "Opens": "Yn agor",
    "Closes": "Yn cau",
    "closes": "yn cau",
    "Who can take part": "Pwy all gymryd rhan",
    "How to take part": "Sut i gymryd rhan",
    "Contact": "Cyswllt",
    "Documents": "Dogfennau",
    "This file may not be suitable for users of assistive technology.": "Efallai na fydd y "
    "ffeil hon yn addas i ddefnyddwyr technoleg gynorthwyol.",
    "Request an accessible format.": "Gofyn am fformat hygyrch.",
    "Accessible format request": "Cais am fformat hygyrch",
    "We asked": "Gofynnon ni",
    "You said": "Dywedoch chi",
    "We did": "Gwnaethon ni",
    "Who took part:": "Pwy gymerodd ran:",
    "We are reading what people told us.": "Rydym yn darllen yr hyn a ddywedodd pobl wrthym.",
    "We have not published what we did yet. It was due by {date}; please ask the contact "
    "below.": "Nid ydym wedi cyhoeddi'r hyn a wnaethom eto. Roedd i fod erbyn {date}; "
    "gofynnwch i'r cyswllt isod.",
    "We will publish what we did by {date}.": "Byddwn yn cyhoeddi'r hyn a wnaethom erbyn {date}.",
    "We will publish what we did soon.": "Byddwn yn cyhoeddi'r hyn a wnaethom cyn bo hir.",
    "Last updated {date}": "Diweddarwyd ddiwethaf {date}",
    "Have your say, and what we did with what you told us.": "Dweud eich dweud, a'r hyn a "
    "wnaethom gyda'r hyn a ddywedoch wrthym.",
    # not found, and the database away
    "Page not found": "Heb ddod o hyd i'r dudalen",
    "If you typed the web address, check it is correct.": "Os teipioch y cyfeiriad gwe, "
    "gwiriwch ei fod yn gywir.",
    "If you pasted the web address, check you copied the entire address.": "Os gwnaethoch "
    "ludo'r cyfeiriad gwe, gwiriwch eich bod wedi copïo'r cyfeiriad cyfan.",
    "You can": "Gallwch",
    "see all consultations and engagement activities": "weld pob gweithgaredd ymgynghori ac "
    "ymgysylltu",
    "See all consultations and engagement activities": "Gweld pob gweithgaredd ymgynghori ac "
    "ymgysylltu",
    "Sorry, there is a problem with the service": "Mae'n ddrwg gennym, mae problem gyda'r "
    "gwasanaeth",
    "Try again in a few minutes.": "Rhowch gynnig arall arni ymhen ychydig funudau.",
    "To take part in a consultation now, contact the council in the usual way.": "I gymryd "
    "rhan mewn ymgynghoriad nawr, cysylltwch â'r cyngor yn y ffordd arferol.",
    # subscribing
    "There is a problem": "Mae problem wedi codi",
    "Error": "Gwall",
    "Get an e-mail when we publish what we did": "Cael e-bost pan fyddwn yn cyhoeddi'r hyn a "
    "wnaethom",
    "Your e-mail address": "Eich cyfeiriad e-bost",
    "We will only use it to tell you about this, and you can stop at any time.": "Byddwn yn "
    "ei ddefnyddio i ddweud wrthych am hyn yn unig, a gallwch roi'r gorau iddi unrhyw bryd.",
    "Subscribe": "Tanysgrifio",
    "We will send you one e-mail each time we publish a new consultation or engagement "
    "activity you choose. Every e-mail has a link to stop them.": "Byddwn yn anfon un e-bost "
    "atoch bob tro y byddwn yn cyhoeddi gweithgaredd ymgynghori neu ymgysylltu newydd o'r math "
    "a ddewiswch. Mae dolen ym mhob e-bost i'w hatal.",
    "What would you like to hear about?": "Am beth hoffech chi glywed?",
    "Every new activity": "Pob gweithgaredd newydd",
    "New activities in one area": "Gweithgareddau newydd mewn un ardal",
    "New activities about one topic": "Gweithgareddau newydd am un pwnc",
    "We will only use it for these e-mails, and you can stop at any time.": "Byddwn yn ei "
    "ddefnyddio ar gyfer yr e-byst hyn yn unig, a gallwch roi'r gorau iddynt unrhyw bryd.",
    "We keep your address only while you are subscribed, and use it for nothing else.": "Dim "
    "ond tra byddwch wedi tanysgrifio y byddwn yn cadw eich cyfeiriad, ac nid ydym yn ei "
    "ddefnyddio i ddim byd arall.",
    "Enter your e-mail address": "Rhowch eich cyfeiriad e-bost",
    "Enter an e-mail address in the correct format, like name@example.com": "Rhowch "
    "gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
    "Choose what you would like e-mails about": "Dewiswch am beth yr hoffech gael e-byst",
    "Choose an area from the list": "Dewiswch ardal o'r rhestr",
    "Choose a topic from the list": "Dewiswch bwnc o'r rhestr",
    "You can no longer subscribe to this activity": "Ni allwch danysgrifio i'r gweithgaredd "
    "hwn mwyach",
    "Check your e-mail": "Gwiriwch eich e-bost",
    "We have sent you an e-mail with a link to confirm your subscription.": "Rydym wedi anfon "
    "e-bost atoch gyda dolen i gadarnhau eich tanysgrifiad.",
    "If it does not arrive in a few minutes, check your spam folder.": "Os na fydd yn "
    "cyrraedd ymhen ychydig funudau, edrychwch yn eich ffolder sbam.",
    "Confirm your subscription": "Cadarnhau eich tanysgrifiad",
    "Press the button to start your e-mails.": "Pwyswch y botwm i ddechrau eich e-byst.",
    "Confirm subscription": "Cadarnhau'r tanysgrifiad",
    "Subscription confirmed": "Tanysgrifiad wedi'i gadarnhau",
    "You will get an e-mail each time there is news you asked for.": "Byddwch yn cael e-bost "
    "bob tro y bydd newyddion y gofynnoch amdanynt.",
    "Every e-mail has a link to stop them.": "Mae dolen ym mhob e-bost i'w hatal.",
    "Stop these e-mails": "Atal yr e-byst hyn",
    "Press the button and we will not e-mail you about this again.": "Pwyswch y botwm ac ni "
    "fyddwn yn anfon e-bost atoch am hyn eto.",
    "Unsubscribe": "Dad-danysgrifio",
    "You have unsubscribed": "Rydych wedi dad-danysgrifio",
    "We will not send you these e-mails again.": "Ni fyddwn yn anfon yr e-byst hyn atoch eto.",
    "This link has expired": "Mae'r ddolen hon wedi dod i ben",
    "Links to confirm a subscription work for 7 days.": "Mae dolenni i gadarnhau tanysgrifiad "
    "yn gweithio am 7 diwrnod.",
    "You can subscribe again.": "Gallwch danysgrifio eto.",
    # the e-mails ("about"/"to" phrases soft-mutated, as after "am" and "i")
    "new activities in {area}": "weithgareddau newydd yn ardal {area}",
    "new activities about {topic}": "weithgareddau newydd ar y pwnc {topic}",
    "what we did after '{title}'": "yr hyn a wnaethom ar ôl '{title}'",
    "every new activity": "bob gweithgaredd newydd",
    "You asked {council} for e-mails about {about}.": "Rydych wedi gofyn am e-byst am {about}.",
    "To start them, confirm your subscription:": "I'w dechrau, cadarnhewch eich tanysgrifiad:",
    "If you did not ask for this, ignore this e-mail: you will not hear from us again, and we "
    "delete your address within 7 days.": "Os na wnaethoch ofyn am hyn, anwybyddwch yr e-bost "
    "hwn: ni fyddwch yn clywed gennym eto, a byddwn yn dileu eich cyfeiriad cyn pen 7 diwrnod.",
    "Confirm your e-mail subscription": "Cadarnhewch eich tanysgrifiad e-bost",
    "{council} has published a new activity:": "Mae {council} wedi cyhoeddi gweithgaredd newydd:",
    "Find out more and have your say:": "Dysgwch fwy a dweud eich dweud:",
    "New": "Newydd",
    "{council} has published what it did after '{title}':": "Mae {council} wedi cyhoeddi'r "
    "hyn a wnaeth ar ôl '{title}':",
    "Read what people said and what we did:": "Darllenwch yr hyn a ddywedodd pobl a'r hyn a "
    "wnaethom:",
    "You get this e-mail because you subscribed to {about}.": "Rydych yn cael yr e-bost hwn am "
    "i chi danysgrifio i {about}.",
    "Stop these e-mails:": "Atal yr e-byst hyn:",
    # the accessibility statement
    "How accessible {council}'s consultations and engagement pages are, and how to report a "
    "problem.": "Pa mor hygyrch yw tudalennau ymgynghori ac ymgysylltu {council}, a sut i roi "
    "gwybod am broblem.",
    "Accessibility statement for {council}'s consultations and engagement pages": "Datganiad "
    "hygyrchedd ar gyfer tudalennau ymgynghori ac ymgysylltu {council}",
    "This accessibility statement applies to the pages at {address}.": "Mae'r datganiad "
    "hygyrchedd hwn yn berthnasol i'r tudalennau yn {address}.",
    "This website is run by {council}. We want as many people as possible to be able to use "
    "it. For example, that means you should be able to:": "{council} sy'n rhedeg y wefan hon. "
    "Rydym eisiau i gymaint o bobl â phosibl allu ei defnyddio. Er enghraifft, mae hynny'n "
    "golygu y dylech allu:",
    "change colours, contrast levels and fonts using browser or device settings": "newid "
    "lliwiau, lefelau cyferbyniad a ffontiau gan ddefnyddio gosodiadau eich porwr neu'ch "
    "dyfais",
    "zoom in up to 400% without the text spilling off the screen": "chwyddo hyd at 400% heb i'r "
    "testun fynd oddi ar y sgrin",
    "navigate the whole website using just a keyboard or speech recognition software": "llywio "
    "drwy'r wefan gyfan gan ddefnyddio bysellfwrdd neu feddalwedd adnabod lleferydd yn unig",
    "listen to the website using a screen reader (including the most recent versions of JAWS, "
    "NVDA and VoiceOver)": "gwrando ar y wefan gan ddefnyddio darllenydd sgrin (gan gynnwys "
    "fersiynau diweddaraf JAWS, NVDA a VoiceOver)",
    "We have also made the text as simple as possible to understand. AbilityNet has advice on "
    "making your device easier to use if you have a disability.": "Rydym hefyd wedi gwneud y "
    "testun mor syml â phosibl i'w ddeall. Mae gan AbilityNet gyngor ar wneud eich dyfais yn "
    "haws i'w defnyddio os oes gennych anabledd.",
    "How accessible this website is": "Pa mor hygyrch yw'r wefan hon",
    "We know some parts of this website are not fully accessible:": "Gwyddom nad yw rhai "
    "rhannau o'r wefan hon yn gwbl hygyrch:",
    "Documents attached to activities (PDF and Word files) may not all be accessible. You can "
    "ask for any of them in another format.": "Efallai na fydd pob dogfen sydd ynghlwm wrth "
    "weithgareddau (ffeiliau PDF a Word) yn hygyrch. Gallwch ofyn am unrhyw un ohonynt mewn "
    "fformat arall.",
    "Feedback and contact information": "Adborth a gwybodaeth gyswllt",
    "If you need information on this website in a different format like accessible PDF, large "
    "print, easy read, audio recording or braille, or you find a problem not listed on this "
    "page:": "Os oes angen gwybodaeth ar y wefan hon arnoch mewn fformat gwahanol fel PDF "
    "hygyrch, print bras, hawdd ei ddeall, recordiad sain neu braille, neu os dewch o hyd i "
    "broblem nad yw wedi'i rhestru ar y dudalen hon:",
    "e-mail": "e-bostiwch",
    "call": "ffoniwch",
    "contact the council in the usual way": "cysylltwch â'r cyngor yn y ffordd arferol",
    "We'll consider your request and get back to you in 10 working days.": "Byddwn yn ystyried "
    "eich cais ac yn cysylltu â chi cyn pen 10 diwrnod gwaith.",
    "Enforcement procedure": "Y drefn orfodi",
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public "
    "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 "
    "(the 'accessibility regulations'). If you're not happy with how we respond to your "
    "complaint, contact the Equality Advisory and Support Service (EASS).": "Y Comisiwn "
    "Cydraddoldeb a Hawliau Dynol (EHRC) sy'n gyfrifol am orfodi Rheoliadau Hygyrchedd Cyrff y "
    "Sector Cyhoeddus (Gwefannau a Rhaglenni Symudol) (Rhif 2) 2018 (y 'rheoliadau "
    "hygyrchedd'). Os nad ydych yn fodlon â'r ffordd rydym yn ymateb i'ch cwyn, cysylltwch â'r "
    "Gwasanaeth Cynghori a Chymorth Cydraddoldeb (EASS).",
    "Technical information about this website's accessibility": "Gwybodaeth dechnegol am "
    "hygyrchedd y wefan hon",
    "{council} is committed to making its website accessible, in accordance with the Public "
    "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations "
    "2018.": "Mae {council} wedi ymrwymo i wneud ei gwefan yn hygyrch, yn unol â Rheoliadau "
    "Hygyrchedd Cyrff y Sector Cyhoeddus (Gwefannau a Rhaglenni Symudol) (Rhif 2) 2018.",
    "Compliance status": "Statws cydymffurfio",
    "This website is partially compliant with the Web Content Accessibility Guidelines version "
    "2.2 AA standard, due to the non-compliances listed above.": "Mae'r wefan hon yn "
    "cydymffurfio'n rhannol â safon AA fersiwn 2.2 o'r Canllawiau Hygyrchedd Cynnwys y We, "
    "oherwydd yr achosion o beidio â chydymffurfio a restrir uchod.",
    "This website is fully compliant with the Web Content Accessibility Guidelines version 2.2 "
    "AA standard.": "Mae'r wefan hon yn cydymffurfio'n llawn â safon AA fersiwn 2.2 o'r "
    "Canllawiau Hygyrchedd Cynnwys y We.",
    "How we tested this website": "Sut y gwnaethom brofi'r wefan hon",
    "Every page type is checked automatically with axe-core against WCAG 2.2 AA each time the "
    "software changes, with keyboard use, reflow at 320 pixels and 400% zoom, and text "
    "spacing.": "Caiff pob math o dudalen ei wirio'n awtomatig ag axe-core yn erbyn WCAG 2.2 AA "
    "bob tro y bydd y feddalwedd yn newid, ynghyd â defnydd bysellfwrdd, ail-lifo ar 320 "
    "picsel a chwyddo 400%, a bylchau testun.",
    "The website was last tested on {date}{by}.": "Profwyd y wefan ddiwethaf ar {date}{by}.",
    " by {who}": " gan {who}",
    "Preparation of this accessibility statement": "Paratoi'r datganiad hygyrchedd hwn",
    "This statement was prepared on {prepared}. It was last reviewed on {reviewed}.": "Paratowyd "
    "y datganiad hwn ar {prepared}. Fe'i adolygwyd ddiwethaf ar {reviewed}.",
}
