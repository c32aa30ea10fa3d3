/*
 * cgi-bin/wellness, the care half: the private journal, the PHQ-9 and GAD-7 screenings (with
 * their FHIR export), the safety plan and the public crisis and self-help resources. Handlers are
 * grouped by concern: journal.c, assessment_definitions.c, assessments.c (history, submit,
 * contact), assessment_fhir.c, safety_plan.c, resources.c. The questionnaires and their scoring
 * are pure code in assessment_forms.c and assessment_scoring.c (assessment.h); the safety plan
 * document in safety_plan_doc.c (safety_plan_doc.h); the resources catalogue, read at start-up
 * by every program, in lib/resource_catalog.c. care_sealing.c seals and opens text with the user's
 * data key, assessment_answers.c opens stored answers, care_page.c reads and writes the keyset
 * cursors, care_list.c answers a page of sealed rows (the journal and assessment lists), care_respond.c builds the JSON, wellness_audit.c (wellness_audit.h) writes audit rows
 * for the whole program and care_statements.c holds every SQL statement of this half (names prefixed care_).
 */
#ifndef ASTRAL_WELLNESS_CARE_H
#define ASTRAL_WELLNESS_CARE_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "audit.h"
#include "crisis.h"
#include "crypt.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"
#include "wellness_audit.h"

#include "assessment.h"

enum care_stmt {
	CARE_JOURNAL_LIST,
	CARE_JOURNAL_INSERT,
	CARE_JOURNAL_UPDATE,
	CARE_JOURNAL_DELETE,
	CARE_ASSESSMENT_LIST,
	CARE_ASSESSMENT_ALL,
	CARE_ASSESSMENT_GET,
	CARE_ASSESSMENT_INSERT,
	CARE_ASSESSMENT_CONTACT,
	CARE_SAFETY_PLAN_GET,
	CARE_SAFETY_PLAN_PUT,
	CARE_STMT_COUNT
};

extern const struct astral_stmt care_stmts[CARE_STMT_COUNT];

/* Run one of this half's statements. */
astral_err care_exec(struct astral_request *req, enum care_stmt s, const struct astral_params *p,
                     PGresult **res) ASTRAL_MUST_USE;

/* Run `s`, which answers with exactly one row of the caller's. ASTRAL_OK when it did; otherwise
   the error after answering it: the statement's own, or for no row a 404 with `not_found` (a
   record that may not be the caller's) or, when not_found is NULL, a 500 (a statement that always
   returns its row). */
astral_err care_exec_row(struct astral_request *req, enum care_stmt s, const struct astral_params *p, PGresult **res,
                         const char *not_found) ASTRAL_MUST_USE;

/* Column positions of the journal statements (LIST, INSERT and UPDATE return the same row). */
enum care_journal_col {
	CARE_JC_ID, CARE_JC_BODY, CARE_JC_CREATED_AT, CARE_JC_UPDATED_AT
};

/* Column positions of the assessment statements (LIST, ALL, GET, INSERT, CONTACT). */
enum care_assessment_col {
	CARE_AC_ID, CARE_AC_KIND, CARE_AC_SCORE, CARE_AC_ANSWERS, CARE_AC_ITEM9, CARE_AC_CONTACT,
	CARE_AC_CREATED_AT
};

/* Lists: at most this many rows a page, CARE_PAGE_DEFAULT when ?limit= is absent. */
#define CARE_PAGE_MAX 100
#define CARE_PAGE_DEFAULT 20
/* Journal text, in code points. */
#define CARE_JOURNAL_MAX 2000

/* The signed-in user's data key (lib/account.h). The caller OPENSSL_cleanse()s it. */
astral_err care_data_key(struct astral_request *req, unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* care_data_key for a handler: a failure is answered (the caller only goes to its cleanup). */
astral_err care_data_key_or_answer(struct astral_request *req, unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* Seal text (a journal entry, a JSON document) with the data key, AAD table|column|row. */
astral_err care_seal(const unsigned char dek[ASTRAL_DEK_LEN], const char *table, const char *column,
                     const char *row_id, const char *text, unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;
/* Seal text with the signed-in user's data key (care_data_key, then care_seal, the key cleansed
   before returning): the data key's error, or INTERNAL when sealing fails. *out is malloc'd. */
astral_err care_seal_for_caller(struct astral_request *req, const char *table, const char *column,
                                const char *row_id, const char *text, unsigned char **out,
                                size_t *outlen) ASTRAL_MUST_USE;
/* Open the bytea column `col` of row `row`: *text is malloc'd (the caller frees it). */
astral_err care_open_column(const unsigned char dek[ASTRAL_DEK_LEN], const char *table, const char *column,
                            const char *row_id, const PGresult *res, int row, int col,
                            char **text) ASTRAL_MUST_USE;

/* The answers of row `row` of an assessment statement, opened and checked against its form:
   *n = the form's item count. INTERNAL when they do not open or do not fit. */
astral_err care_assessment_answers(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row,
                                   long long out[CARE_ITEMS_MAX], size_t *n) ASTRAL_MUST_USE;

/* Keyset pages (newest first, by creation second then id). The first page has no cursor. */
struct care_page {
	long long limit;
	int has_cursor;
	long long after_time;          /* created_at of the previous page's last row, unix seconds */
	char after_id[37];
};
/* Read ?limit= and ?cursor= into a page; 400 naming `cursor` (and ASTRAL_ERR_INVALID) when the
   cursor is not one of ours. */
astral_err care_page_from_input(struct astral_request *req, long long limit, const char *cursor,
                                struct care_page *out) ASTRAL_MUST_USE;
/* Bind the page's three parameters after the caller's own (time, id, limit + 1). */
void care_page_params(struct astral_params *p, const struct care_page *page);
/* The `next` token after a full page: the last shown row's time and id; NULL (JSON null) when
   rows <= limit. */
void care_page_next(struct json_object *body, const struct care_page *page, int rows, long long last_time,
                    const char *last_id);

/* The list handlers of the sealed records (care_list.c): one keyset page of the caller's rows,
   newest first, each opened with the data key, then `next` and an audit row. */
/* A row as JSON: *item from row `row`, its sealed parts opened with `dek`. */
typedef astral_err (*care_list_item_fn)(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row,
                                        struct json_object **item);
struct care_list {
	enum care_stmt stmt;            /* takes the user id, then the page (care_page_params) */
	int id_col, created_at_col;     /* the row's id and creation second, for the cursor */
	care_list_item_fn item;
	const char *audit_action, *audit_object_type;   /* audited with the detail "list" */
};
/* The input of both lists: ?limit= (1..CARE_PAGE_MAX, CARE_PAGE_DEFAULT) and ?cursor=. */
struct care_list_in { long long limit; const char *cursor; };
extern const struct astral_input_spec care_list_input;
/* Answer 200 {items, next} with the page `in` names, or the error. */
void care_list_respond(struct astral_request *req, const struct care_list *list, const struct care_list_in *in);

/* JSON builders (care_respond.c). */
/* JournalEntry: `crisis` is NULL (JSON null) unless the text was just flagged. Takes ownership of
   crisis. */
struct json_object *care_journal_json(const char *id, const char *text, int64_t created_at, int64_t updated_at,
                                      struct json_object *crisis);
/* Assessment from a row of an assessment statement whose answers are already opened. `just_now`:
   the answer to a submit or a contact, where a positive item 9 carries `crisis` (resources) and
   `safety_plan_prompt: true` (the host's crisis lines, from `app`); history rows carry null and
   false (app may be NULL). */
struct json_object *care_assessment_json(const struct astral_app *app, const PGresult *res, int row,
                                         const long long *answers, size_t nanswers, int just_now);
/* What a positive PHQ-9 item 9 means for the crisis path: suicide and self-harm, high severity
   for "more than half the days" or more, medium for "several days"; rule assessment.phq9_item9. */
void care_item9_result(long long item9_answer, struct astral_crisis_result *out);
/* 404 not_found: the id is not the caller's (or does not exist). */
void care_respond_not_found(struct astral_request *req, const char *what);

/* Handlers. */
void wellness_journal_list(struct astral_request *req, const void *input);
void wellness_journal_create(struct astral_request *req, const void *input);
void wellness_journal_update(struct astral_request *req, const void *input);
void wellness_journal_delete(struct astral_request *req, const void *input);
void wellness_assessment_definitions(struct astral_request *req, const void *input);
void wellness_assessments_list(struct astral_request *req, const void *input);
void wellness_assessment_submit(struct astral_request *req, const void *input);
void wellness_assessment_contact(struct astral_request *req, const void *input);
void wellness_assessments_fhir(struct astral_request *req, const void *input);
void wellness_safety_plan_get(struct astral_request *req, const void *input);
void wellness_safety_plan_put(struct astral_request *req, const void *input);
void wellness_resources_list(struct astral_request *req, const void *input);

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec wellness_journal_write_input, wellness_assessment_submit_input,
	wellness_assessment_contact_input, wellness_safety_plan_put_input, wellness_resources_list_input;

#endif
