/*
 * The helper training: four lessons and a three-question quiz (training_content.c), graded on
 * the server (training_quiz.c). Both files are pure (no database, no request), so the unit test
 * and the fuzz target compile them directly. The correct answers never leave the server:
 * helpers_training_json() writes the lessons and the questions without them.
 */
#ifndef ASTRAL_HELPERS_TRAINING_H
#define ASTRAL_HELPERS_TRAINING_H

#include <stddef.h>
#include <json-c/json.h>

#include "error.h"

/* A pass needs at least this score (percent). With three questions: all three. */
#define HELPERS_TRAINING_PASS_MARK 75
#define HELPERS_TRAINING_OPTIONS_MAX 4

struct helpers_lesson {
	const char *id;
	const char *title;
	const char *const *paragraphs;   /* NULL-terminated */
};

struct helpers_option {
	const char *id;
	const char *text;
};

struct helpers_question {
	const char *id;
	const char *text;
	struct helpers_option options[HELPERS_TRAINING_OPTIONS_MAX];
	const char *answer;              /* the correct option's id */
};

extern const struct helpers_lesson helpers_lessons[];
extern const size_t helpers_nlessons;
extern const struct helpers_question helpers_questions[];
extern const size_t helpers_nquestions;

struct helpers_grade {
	int correct;
	int total;
	int score;      /* floor(100 × correct / total) */
	int passed;     /* score >= HELPERS_TRAINING_PASS_MARK */
};

/*
 * Grade the answers object {"q1":"b", ...}. Every question must be answered with one of its
 * option ids and nothing else may be there. Returns NULL with *grade filled, or a new object
 * naming each bad member ("answers.q2": "must be one of a, b, c, d"; an unknown question
 * "answers.<id>", or "answers" when its name is not short printable text) with *grade zeroed.
 */
struct json_object *helpers_training_grade(struct json_object *answers, struct helpers_grade *grade)
	ASTRAL_MUST_USE;

/* {"lessons": [...], "quiz": {"pass_mark", "questions"}} without the answers (a new object). */
struct json_object *helpers_training_json(void);

#endif
