/* The module kinds live in their classes: outside the files that define a
 * gi_module_class, a gi_module_kind value of the public header appears
 * only in module.c's table ("[GI_MODULE_X] = &gi_x_class,"), once each.
 * So adding a kind touches its class file, the header and the table, and
 * no switch elsewhere can forget it or send it to another kind's code. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

#ifndef GINIT_SOURCE_DIR
#error "compile with -DGINIT_SOURCE_DIR='\"/path/to/the/repository\"'"
#endif

enum { MAX_KINDS = 32, MAX_NAME = 64 };

/* The enumerators of gi_module_kind in the public header. */
static int module_kinds(char kinds[][MAX_NAME])
{
    char *h = read_file(GINIT_SOURCE_DIR "/include/ginit.h");
    char *p = strstr(h, "typedef enum gi_module_kind {");
    cr_assert_not_null(p, "no gi_module_kind in the header");
    char *end = strchr(p, '}');
    int n = 0;
    while ((p = strstr(p, "GI_MODULE_")) != NULL && p < end) {
        size_t len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
        const char *q = p + len + strspn(p + len, " ");
        if (*q == '=') { /* an enumerator, not a comment's mention */
            cr_assert_lt(n, MAX_KINDS);
            cr_assert_lt(len, (size_t)MAX_NAME);
            memcpy(kinds[n], p, len);
            kinds[n++][len] = '\0';
        }
        p += len;
    }
    free(h);
    return n;
}

/* A table row: "[kind] = &gi_..._class," alone on its line. */
static int is_table_row(const char *line, size_t len, const char *kind)
{
    char row[MAX_NAME + 8];
    snprintf(row, sizeof row, "[%s] = &", kind);
    while (len > 0 && (*line == ' ' || *line == '\t'))
        ++line, --len;
    return len > strlen(row) && strncmp(line, row, strlen(row)) == 0 &&
           line[len - 1] == ',';
}

/* Counts table rows of kind in text; fails on any other mention. */
static int rows_in(const char *file, const char *text, const char *kind)
{
    int rows = 0, lineno = 1;
    for (const char *line = text; *line != '\0'; ++lineno) {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        char copy[512];
        snprintf(copy, sizeof copy, "%.*s", (int)len, line);
        const char *hit = strstr(copy, kind);
        size_t after = hit != NULL ? strspn(hit + strlen(kind),
                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") : 0;
        if (hit != NULL && after == 0) {
            cr_expect(is_table_row(line, len, kind),
                      "%s:%d names %s outside a class file: %s", file,
                      lineno, kind, copy);
            rows += is_table_row(line, len, kind);
        }
        line += len + (nl != NULL);
    }
    return rows;
}

static int is_source(const char *name)
{
    size_t n = strlen(name);
    return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' ||
                                           name[n - 1] == 'h');
}

typedef struct scan {
    char (*kinds)[MAX_NAME];
    int nkinds, nclasses;
    int rows[MAX_KINDS];
} scan;

/* Scans every source of src/ and of its layer folders (one level). */
static void scan_dir(scan *sc, const char *rel, int depth)
{
    char dirpath[1024];
    snprintf(dirpath, sizeof dirpath, "%s/%s", GINIT_SOURCE_DIR, rel);
    DIR *dir = opendir(dirpath);
    cr_assert_not_null(dir, "cannot open %s", dirpath);
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        char path[2048], name[1024];
        snprintf(path, sizeof path, "%s/%s", dirpath, e->d_name);
        snprintf(name, sizeof name, "%s/%s", rel, e->d_name);
        struct stat st;
        if (e->d_name[0] == '.' || stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth == 0) {
            scan_dir(sc, name, 1);
            continue;
        }
        if (!S_ISREG(st.st_mode) || !is_source(e->d_name))
            continue;
        char *text = read_file(path);
        if (strstr(text, "\nconst gi_module_class gi_") != NULL)
            ++sc->nclasses;
        else
            for (int k = 0; k < sc->nkinds; ++k)
                sc->rows[k] += rows_in(name, text, sc->kinds[k]);
        free(text);
    }
    closedir(dir);
}

Test(module_classes, kinds_are_named_only_by_their_classes_and_the_table)
{
    char kinds[MAX_KINDS][MAX_NAME];
    scan sc = {.kinds = kinds, .nkinds = module_kinds(kinds)};
    cr_assert_geq(sc.nkinds, 4, "found %d kinds", sc.nkinds);
    scan_dir(&sc, "src", 0);
    cr_expect_geq(sc.nclasses, 3, "the kinds' class files were not found");
    for (int k = 0; k < sc.nkinds; ++k)
        cr_expect_eq(sc.rows[k], 1,
                     "%s has %d rows in the class table, not 1", kinds[k],
                     sc.rows[k]);
}
