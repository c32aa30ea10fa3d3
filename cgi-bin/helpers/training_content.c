/*
 * The helper training's text: four lessons and the quiz (docs/helper-program-api-contract.md,
 * "Training"). Safe-messaging rules apply here as everywhere: the crisis lesson says to alert a
 * moderator and point to crisis resources, and never to discuss methods. Changing a question or
 * its answer changes what a pass means: keep tests/unit/test-training.c in step.
 */
#include "training.h"

static const char *const role_paragraphs[] = {
	"You are here as a peer: someone who offers time, attention and understanding. You are not a "
	"therapist, counsellor or doctor, and nobody expects you to be one.",
	"Your part is to listen, to help the person feel less alone, and to help them find their own next "
	"step. You do not need to fix their problem or to have the right answer.",
	"Do not give medical, legal or medication advice. When someone would benefit from professional "
	"help, encourage them gently to seek it and point them to the Resource Library.",
	"Look after yourself too. Take breaks, step away when a conversation weighs on you, and after a "
	"hard session Astral Core gives you time to rest before anyone is matched with you again.",
	NULL,
};

static const char *const listening_paragraphs[] = {
	"Active listening means giving the person your full attention and showing them that they have "
	"been heard. Let them lead, and resist the urge to jump to advice.",
	"Reflect back what you hear, in your own words: \"It sounds like you have been carrying this on "
	"your own for a while.\" Name the feeling when you can: \"That sounds really frustrating.\"",
	"Validate: their feelings make sense, even when you would see things differently. Validation is "
	"not agreement; it acknowledges that the experience is real for them.",
	"Ask open questions (\"What has that been like for you?\") rather than ones answered with yes or "
	"no, and allow silences. Avoid \"at least...\", \"you should...\" and comparisons with your own "
	"story.",
	NULL,
};

static const char *const boundaries_paragraphs[] = {
	"Seekers are anonymous, and so are you. Never ask for or share names, addresses, phone numbers, "
	"social media accounts, workplaces or schools, and never arrange to meet or to move the "
	"conversation off the platform.",
	"If someone shares identifying details, remind them kindly that they do not need to, and that "
	"staying anonymous protects them.",
	"Keep conversations in the chat, where moderators can help if something goes wrong. Do not "
	"promise to be there at all hours; it is fine to say when you need to end a session.",
	"What a seeker tells you stays between the two of you. The one exception is their safety: when "
	"it is at risk, alert a moderator (see the next lesson).",
	NULL,
};

static const char *const crisis_paragraphs[] = {
	"Some people reach out when they are in danger. Warning signs include talk of wanting to die or "
	"to harm themselves or someone else, feeling hopeless or like a burden, saying goodbye, or "
	"mentioning a plan.",
	"Take these signs seriously and stay calm. Use \"Alert a moderator\" in the chat straight away: "
	"trained moderators are told at once and can step in. You do not need to be sure before you "
	"alert.",
	"Point the person to crisis resources: Get Help Now lists crisis lines that can help right now. "
	"If someone is in immediate danger, encourage them to contact their local emergency number.",
	"Never discuss methods or give any detail about how someone could harm themselves, even when "
	"asked. Do not try to handle a crisis alone or act as a counsellor: alert a moderator, share the "
	"crisis resources, and step back so that trained people can take over.",
	"After a hard conversation, look after yourself. Astral Core takes you out of matching for a "
	"while so that you can rest; you can end the break early from your dashboard when you are ready.",
	NULL,
};

const struct helpers_lesson helpers_lessons[] = {
	{ "role", "The role of a peer supporter", role_paragraphs },
	{ "listening", "Active listening", listening_paragraphs },
	{ "boundaries", "Boundaries and anonymity", boundaries_paragraphs },
	{ "crisis", "Recognising a crisis", crisis_paragraphs },
};
const size_t helpers_nlessons = sizeof(helpers_lessons) / sizeof(helpers_lessons[0]);

const struct helpers_question helpers_questions[] = {
	{ "q1",
	  "A seeker tells you they feel overwhelmed by their exams and cannot sleep. What is your first job "
	  "as a peer supporter?",
	  { { "a", "Tell them exactly what to do to fix it." },
	    { "b", "Listen and validate how they feel." },
	    { "c", "Recommend a sleeping pill that worked for you." },
	    { "d", "Tell them about your own exams at length." } },
	  "b" },
	{ "q2",
	  "A seeker writes: \"Nobody at home ever listens to me.\" Which reply is the most empathic?",
	  { { "a", "I'm sure they listen more than you think." },
	    { "b", "At least you have a family." },
	    { "c", "It sounds really lonely to feel unheard by the people closest to you. What has that been "
	             "like?" },
	    { "d", "You should just tell them to listen." } },
	  "c" },
	{ "q3",
	  "During a chat, a seeker says they have a plan to end their life. What do you do?",
	  { { "a", "Use the Alert a moderator tool and disengage: share the crisis resources and let trained "
	             "people take over." },
	    { "b", "Keep chatting and try to talk them out of it on your own." },
	    { "c", "Give them your phone number so that they can reach you at any time." },
	    { "d", "End the chat without saying anything." } },
	  "a" },
};
const size_t helpers_nquestions = sizeof(helpers_questions) / sizeof(helpers_questions[0]);
