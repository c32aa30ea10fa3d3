/*
 * The PHQ-9 and GAD-7 as served to clients and exported as FHIR: the standard item texts (Pfizer
 * Inc., no permission needed to reproduce), their LOINC codes, the answer scale with its LOINC
 * answer codes (answer list LL358-3), the score bands with the original's recommendations
 * (product/original-features.md §6). Data only.
 */
#include "assessment.h"

const char care_disclaimer[] =
	"This is a screening tool, not a diagnosis. Only a qualified health professional can diagnose "
	"depression or anxiety. If you are in crisis or thinking about harming yourself, contact a crisis "
	"line or emergency services now.";

const struct care_option care_options[CARE_ANSWER_MAX - CARE_ANSWER_MIN + 1] = {
	{ 0, "Not at all", "LA6568-5" },
	{ 1, "Several days", "LA6569-3" },
	{ 2, "More than half the days", "LA6570-1" },
	{ 3, "Nearly every day", "LA6571-9" },
};

static const char instruction[] =
	"Over the last 2 weeks, how often have you been bothered by any of the following problems?";

static const struct care_item phq9_items[] = {
	{ 1, "Little interest or pleasure in doing things", "44250-9" },
	{ 2, "Feeling down, depressed, or hopeless", "44255-8" },
	{ 3, "Trouble falling or staying asleep, or sleeping too much", "44259-0" },
	{ 4, "Feeling tired or having little energy", "44254-1" },
	{ 5, "Poor appetite or overeating", "44251-7" },
	{ 6, "Feeling bad about yourself \xe2\x80\x94 or that you are a failure or have let yourself or your "
	     "family down", "44258-2" },
	{ 7, "Trouble concentrating on things, such as reading the newspaper or watching television", "44252-5" },
	{ 8, "Moving or speaking so slowly that other people could have noticed? Or the opposite \xe2\x80\x94 "
	     "being so fidgety or restless that you have been moving around a lot more than usual", "44253-3" },
	{ 9, "Thoughts that you would be better off dead, or of hurting yourself in some way", "44260-8" },
};

static const struct care_band phq9_bands[] = {
	{ "minimal", "Minimal", 0, 4,
	  "Your answers suggest minimal symptoms. Keep noticing how you feel; sleep, movement and time "
	  "with people you trust can help." },
	{ "mild", "Mild", 5, 9,
	  "Your answers suggest mild symptoms. Self-help resources or brief counselling may help; take "
	  "this screening again in a couple of weeks." },
	{ "moderate", "Moderate", 10, 14,
	  "Your answers suggest moderate symptoms. Talking with a therapist or doctor is recommended." },
	{ "moderately_severe", "Moderately Severe", 15, 19,
	  "Your answers suggest moderately severe symptoms. Professional treatment is strongly "
	  "recommended: please reach out to a doctor or a mental-health professional." },
	{ "severe", "Severe", 20, 27,
	  "Your answers suggest severe symptoms. Please seek professional treatment now: contact a "
	  "doctor or mental-health provider, or a crisis line if you do not feel safe." },
};

static const struct care_item gad7_items[] = {
	{ 1, "Feeling nervous, anxious, or on edge", "69725-0" },
	{ 2, "Not being able to stop or control worrying", "68509-9" },
	{ 3, "Worrying too much about different things", "69733-4" },
	{ 4, "Trouble relaxing", "69734-2" },
	{ 5, "Being so restless that it is hard to sit still", "69735-9" },
	{ 6, "Becoming easily annoyed or irritable", "69689-8" },
	{ 7, "Feeling afraid, as if something awful might happen", "69736-7" },
};

static const struct care_band gad7_bands[] = {
	{ "minimal", "Minimal", 0, 4,
	  "Your answers suggest minimal anxiety. Keep noticing how you feel; rest, movement and "
	  "breathing exercises can help." },
	{ "mild", "Mild", 5, 9,
	  "Your answers suggest mild anxiety. Self-help resources or brief counselling may help; take "
	  "this screening again in a couple of weeks." },
	{ "moderate", "Moderate", 10, 14,
	  "Your answers suggest moderate anxiety. Talking with a therapist or doctor is recommended." },
	{ "severe", "Severe", 15, 21,
	  "Your answers suggest severe anxiety. Professional treatment is strongly recommended: please "
	  "contact a doctor or mental-health provider soon." },
};

const struct care_form care_forms[] = {
	{
		.kind = "phq9",
		.title = "PHQ-9 (depression screening)",
		.instruction = instruction,
		.loinc = "44249-1",
		.total_loinc = "44261-6",
		.questionnaire = "urn:astral-core:questionnaire:phq9",
		.nitems = sizeof(phq9_items) / sizeof(phq9_items[0]),
		.items = phq9_items,
		.max = 27,
		.nbands = sizeof(phq9_bands) / sizeof(phq9_bands[0]),
		.bands = phq9_bands,
		.safety_item = 9,
	},
	{
		.kind = "gad7",
		.title = "GAD-7 (anxiety screening)",
		.instruction = instruction,
		.loinc = "69737-5",
		.total_loinc = "70274-6",
		.questionnaire = "urn:astral-core:questionnaire:gad7",
		.nitems = sizeof(gad7_items) / sizeof(gad7_items[0]),
		.items = gad7_items,
		.max = 21,
		.nbands = sizeof(gad7_bands) / sizeof(gad7_bands[0]),
		.bands = gad7_bands,
		.safety_item = 0,
	},
};

const size_t care_nforms = sizeof(care_forms) / sizeof(care_forms[0]);
