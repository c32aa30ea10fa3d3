/* Tests for cgi-bin/helpers/training_quiz.c and training_content.c: the quiz is graded on the
   server (every combination of answers, the pass mark, the score rounded down), bad answers name
   the member, and the training as JSON never carries an answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "training.h"

static struct json_object *
parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (o == NULL)
		fail_msg("test JSON does not parse: %s", text);
	return o;
}

static const char *
problem_of(struct json_object *problems, const char *field)
{
	struct json_object *v;

	if (problems == NULL || !json_object_object_get_ex(problems, field, &v))
		return NULL;
	return json_object_get_string(v);
}

static void
test_training_content_is_whole(void **state)
{
	static const char *const lessons[] = { "role", "listening", "boundaries", "crisis" };

	(void)state;
	assert_int_equal(helpers_nlessons, 4);
	for (size_t i = 0; i < helpers_nlessons; i++) {
		assert_string_equal(helpers_lessons[i].id, lessons[i]);
		assert_true(strlen(helpers_lessons[i].title) > 3);
		assert_non_null(helpers_lessons[i].paragraphs[0]);
	}
	assert_int_equal(helpers_nquestions, 3);
	for (size_t q = 0; q < helpers_nquestions; q++) {
		int found = 0;

		for (size_t o = 0; o < HELPERS_TRAINING_OPTIONS_MAX; o++) {
			assert_non_null(helpers_questions[q].options[o].id);
			if (strcmp(helpers_questions[q].options[o].id, helpers_questions[q].answer) == 0)
				found++;
		}
		assert_int_equal(found, 1);
	}
}

/* The answers the product names: listen and validate; the empathic reflective reply; the Alert
   a moderator tool and disengage. */
static void
test_training_answers_are_the_right_ones(void **state)
{
	static const char *const says[] = { "Listen and validate", "It sounds really lonely", "Alert a moderator" };

	(void)state;
	for (size_t q = 0; q < helpers_nquestions; q++) {
		const char *text = NULL;

		for (size_t o = 0; o < HELPERS_TRAINING_OPTIONS_MAX; o++)
			if (strcmp(helpers_questions[q].options[o].id, helpers_questions[q].answer) == 0)
				text = helpers_questions[q].options[o].text;
		assert_non_null(text);
		if (strstr(text, says[q]) == NULL)
			fail_msg("%s: the right answer is \"%s\"", helpers_questions[q].id, text);
	}
}

/* Every one of the 4^3 combinations: the score is floor(100 × correct / 3), a pass is 3/3. */
static void
test_training_grade_every_combination(void **state)
{
	static const char *const ids[] = { "a", "b", "c", "d" };
	static const int scores[] = { 0, 33, 66, 100 };
	int passes = 0;

	(void)state;
	for (int n = 0; n < 64; n++) {
		const char *pick[3] = { ids[n % 4], ids[(n / 4) % 4], ids[n / 16] };
		struct json_object *answers = json_object_new_object(), *problems;
		struct helpers_grade g;
		int correct = 0;

		for (int q = 0; q < 3; q++) {
			json_object_object_add(answers, helpers_questions[q].id, json_object_new_string(pick[q]));
			correct += strcmp(pick[q], helpers_questions[q].answer) == 0;
		}
		problems = helpers_training_grade(answers, &g);
		assert_null(problems);
		assert_int_equal(g.correct, correct);
		assert_int_equal(g.total, 3);
		assert_int_equal(g.score, scores[correct]);
		assert_int_equal(g.passed, correct == 3);
		passes += g.passed;
		json_object_put(answers);
	}
	assert_int_equal(passes, 1);
}

static void
test_training_bad_answers(void **state)
{
	static const struct { const char *json, *field, *why; } cases[] = {
		{ "{\"q1\":\"b\",\"q2\":\"c\"}", "answers.q3", "is required" },
		{ "{\"q1\":\"b\",\"q2\":\"e\",\"q3\":\"a\"}", "answers.q2", "must be one of a, b, c, d" },
		{ "{\"q1\":\"B\",\"q2\":\"c\",\"q3\":\"a\"}", "answers.q1", "must be one of a, b, c, d" },
		{ "{\"q1\":\"\",\"q2\":\"c\",\"q3\":\"a\"}", "answers.q1", "must be one of a, b, c, d" },
		{ "{\"q1\":1,\"q2\":\"c\",\"q3\":\"a\"}", "answers.q1", "must be one of a, b, c, d" },
		{ "{\"q1\":null,\"q2\":\"c\",\"q3\":\"a\"}", "answers.q1", "is required" },
		{ "{\"q1\":[\"b\"],\"q2\":\"c\",\"q3\":\"a\"}", "answers.q1", "must be one of a, b, c, d" },
		{ "{\"q1\":\"b\\u0000\",\"q2\":\"c\",\"q3\":\"a\"}", "answers.q1", "must be one of a, b, c, d" },
		{ "{\"q1\":\"b\",\"q2\":\"c\",\"q3\":\"a\",\"q4\":\"a\"}", "answers.q4", "is not a question of the quiz" },
		{ "{\"q1\":\"b\",\"q2\":\"c\",\"q3\":\"a\",\"\\u001b[31m\":\"a\"}", "answers",
		  "names a question that is not in the quiz" },
		{ "{}", "answers.q1", "is required" },
		{ "[]", "answers", "must be an object" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *answers = parse(cases[i].json), *problems;
		struct helpers_grade g = { 9, 9, 9, 9 };

		problems = helpers_training_grade(answers, &g);
		if (problem_of(problems, cases[i].field) == NULL || strcmp(problem_of(problems, cases[i].field), cases[i].why) != 0)
			fail_msg("%s: want %s \"%s\", got %s", cases[i].json, cases[i].field, cases[i].why,
			         problems ? json_object_to_json_string(problems) : "no problem");
		assert_int_equal(g.correct + g.total + g.score + g.passed, 0);
		json_object_put(problems);
		json_object_put(answers);
	}
}

/* The lessons and questions go out; the answers never do. */
static void
test_training_json_has_no_answers(void **state)
{
	struct json_object *o = helpers_training_json(), *quiz, *questions, *lessons, *v;
	const char *text;

	(void)state;
	assert_true(json_object_object_get_ex(o, "lessons", &lessons));
	assert_int_equal(json_object_array_length(lessons), 4);
	assert_true(json_object_object_get_ex(o, "quiz", &quiz));
	assert_true(json_object_object_get_ex(quiz, "pass_mark", &v));
	assert_int_equal(json_object_get_int(v), 75);
	assert_true(json_object_object_get_ex(quiz, "questions", &questions));
	assert_int_equal(json_object_array_length(questions), 3);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_null(strstr(text, "\"answer\""));
	assert_null(strstr(text, "correct"));
	for (size_t q = 0; q < 3; q++) {
		struct json_object *question = json_object_array_get_idx(questions, q);

		assert_int_equal(json_object_object_length(question), 3);   /* id, text, options */
		assert_true(json_object_object_get_ex(question, "options", &v));
		assert_int_equal(json_object_array_length(v), 4);
		assert_int_equal(json_object_object_length(json_object_array_get_idx(v, 0)), 2);   /* id, text */
	}
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_training_content_is_whole),
		cmocka_unit_test(test_training_answers_are_the_right_ones),
		cmocka_unit_test(test_training_grade_every_combination),
		cmocka_unit_test(test_training_bad_answers),
		cmocka_unit_test(test_training_json_has_no_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
