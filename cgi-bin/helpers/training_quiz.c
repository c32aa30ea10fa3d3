/* Grading the quiz, and the training as JSON without its answers (pure: see training.h). */
#include <stdio.h>
#include <string.h>

#include "training.h"
#include "validate.h"

#define KEY_SHOWN_MAX 64    /* an unknown member is named back only when short and printable */
/* "answers." and a name of at most KEY_SHOWN_MAX code points of up to 4 bytes each, whole: a name
   cut inside a character would make the error itself invalid UTF-8. */
#define FIELD_MAX (sizeof("answers.") + KEY_SHOWN_MAX * 4)

static const struct helpers_question *
question_named(const char *id)
{
	for (size_t i = 0; i < helpers_nquestions; i++)
		if (strcmp(helpers_questions[i].id, id) == 0)
			return &helpers_questions[i];
	return NULL;
}

static int
is_option(const struct helpers_question *q, const char *id)
{
	for (size_t i = 0; i < HELPERS_TRAINING_OPTIONS_MAX && q->options[i].id != NULL; i++)
		if (strcmp(q->options[i].id, id) == 0)
			return 1;
	return 0;
}

/* "must be one of a, b, c, d" for question q. */
static void
options_problem(const struct helpers_question *q, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "must be one of");

	for (size_t i = 0; i < HELPERS_TRAINING_OPTIONS_MAX && q->options[i].id != NULL && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s %s", i == 0 ? "" : ",", q->options[i].id);
}

static void
add_problem(struct json_object **problems, const char *field, const char *what)
{
	if (*problems == NULL)
		*problems = json_object_new_object();
	if (!json_object_object_get_ex(*problems, field, NULL))
		json_object_object_add(*problems, field, json_object_new_string(what));
}

struct json_object *
helpers_training_grade(struct json_object *answers, struct helpers_grade *grade)
{
	struct json_object *problems = NULL;
	char field[FIELD_MAX], why[96];

	memset(grade, 0, sizeof(*grade));
	if (!json_object_is_type(answers, json_type_object)) {
		add_problem(&problems, "answers", "must be an object");
		return problems;
	}
	json_object_object_foreach(answers, key, value) {
		(void)value;
		if (question_named(key) != NULL)
			continue;
		if (astral_check_text(key, strlen(key), 1, KEY_SHOWN_MAX, 0) == NULL) {
			snprintf(field, sizeof(field), "answers.%s", key);
			add_problem(&problems, field, "is not a question of the quiz");
		} else {
			add_problem(&problems, "answers", "names a question that is not in the quiz");
		}
	}
	for (size_t i = 0; i < helpers_nquestions; i++) {
		const struct helpers_question *q = &helpers_questions[i];
		struct json_object *a;
		const char *choice;

		snprintf(field, sizeof(field), "answers.%s", q->id);
		if (!json_object_object_get_ex(answers, q->id, &a) || a == NULL) {
			add_problem(&problems, field, "is required");
			continue;
		}
		choice = json_object_get_string(a);
		if (!json_object_is_type(a, json_type_string) ||
		    (size_t)json_object_get_string_len(a) != strlen(choice) || !is_option(q, choice)) {
			options_problem(q, why, sizeof(why));
			add_problem(&problems, field, why);
			continue;
		}
		if (strcmp(choice, q->answer) == 0)
			grade->correct++;
	}
	if (problems != NULL) {
		memset(grade, 0, sizeof(*grade));
		return problems;
	}
	grade->total = (int)helpers_nquestions;
	grade->score = grade->total > 0 ? 100 * grade->correct / grade->total : 0;
	grade->passed = grade->score >= HELPERS_TRAINING_PASS_MARK;
	return NULL;
}

static struct json_object *
lesson_json(const struct helpers_lesson *l)
{
	struct json_object *o = json_object_new_object(), *paragraphs = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(l->id));
	json_object_object_add(o, "title", json_object_new_string(l->title));
	for (size_t i = 0; l->paragraphs[i] != NULL; i++)
		json_object_array_add(paragraphs, json_object_new_string(l->paragraphs[i]));
	json_object_object_add(o, "paragraphs", paragraphs);
	return o;
}

static struct json_object *
question_json(const struct helpers_question *q)
{
	struct json_object *o = json_object_new_object(), *options = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(q->id));
	json_object_object_add(o, "text", json_object_new_string(q->text));
	for (size_t i = 0; i < HELPERS_TRAINING_OPTIONS_MAX && q->options[i].id != NULL; i++) {
		struct json_object *opt = json_object_new_object();

		json_object_object_add(opt, "id", json_object_new_string(q->options[i].id));
		json_object_object_add(opt, "text", json_object_new_string(q->options[i].text));
		json_object_array_add(options, opt);
	}
	json_object_object_add(o, "options", options);
	return o;
}

struct json_object *
helpers_training_json(void)
{
	struct json_object *o = json_object_new_object(), *lessons = json_object_new_array();
	struct json_object *quiz = json_object_new_object(), *questions = json_object_new_array();

	for (size_t i = 0; i < helpers_nlessons; i++)
		json_object_array_add(lessons, lesson_json(&helpers_lessons[i]));
	for (size_t i = 0; i < helpers_nquestions; i++)
		json_object_array_add(questions, question_json(&helpers_questions[i]));
	json_object_object_add(quiz, "pass_mark", json_object_new_int(HELPERS_TRAINING_PASS_MARK));
	json_object_object_add(quiz, "questions", questions);
	json_object_object_add(o, "lessons", lessons);
	json_object_object_add(o, "quiz", quiz);
	return o;
}
