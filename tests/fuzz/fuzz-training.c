/* libFuzzer target for the helper quiz's JSON-to-struct code (helpers_training_grade): any
   answers object either grades (a score that matches the count of correct answers, a pass
   exactly at the pass mark) or is refused with every problem named under "answers" or
   "answers.<short printable name>"; nothing crashes or leaks. The pure files are compiled into
   this target directly (they are not part of libastral). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "validate.h"

#include "../../cgi-bin/helpers/training_content.c"
#include "../../cgi-bin/helpers/training_quiz.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_grade(struct json_object *answers)
{
	struct json_object *problems;
	struct helpers_grade g;

	problems = helpers_training_grade(answers, &g);
	if (problems != NULL) {
		if (json_object_object_length(problems) == 0 || g.correct != 0 || g.total != 0 || g.score != 0 || g.passed)
			abort();
		json_object_object_foreach(problems, field, why) {
			if (strncmp(field, "answers", 7) != 0 || (field[7] != '\0' && field[7] != '.') ||
			    astral_check_text(field, strlen(field), 1, 80, 0) != NULL ||
			    !json_object_is_type(why, json_type_string) || json_object_get_string_len(why) == 0)
				abort();
		}
		json_object_put(problems);
		return;
	}
	if (g.total != (int)helpers_nquestions || g.correct < 0 || g.correct > g.total ||
	    g.score != 100 * g.correct / g.total || g.passed != (g.score >= HELPERS_TRAINING_PASS_MARK))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj = NULL, *answers;
	const char *why = NULL;

	if (astral_json_parse((const char *)data, size, &obj, &why) != ASTRAL_OK)
		return 0;
	fuzz_grade(obj);
	if (json_object_is_type(obj, json_type_object) && json_object_object_get_ex(obj, "answers", &answers))
		fuzz_grade(answers);
	json_object_put(obj);
	return 0;
}
