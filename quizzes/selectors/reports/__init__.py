"""Reports for organizers, one module per report: how an assignment went (``overview``),
what its learners still get wrong (``mastery``), how good its questions are (``items``),
and how a group does over time (``trend``); ``common`` holds what they share. A report's
export rows (``quizzes.exports.sheets.Sheet``) are built beside it.

Everything is computed in the database: aggregates, ``GROUP BY`` and correlated subqueries,
never a Python loop over attempts or items. Each selector runs a fixed number of queries
whatever the number of learners (the report tests pin the totals at 10 and 1,000 learners).
Mastery and item analysis, which read every item of the finished attempts, keep their
figures in Django's cache until a fingerprint of those attempts changes.

Who counts: an assignment is for the members of its group and of every group below it
(``selectors.assignments``). A learner who has left those groups but has attempts on the
assignment still counts, as a *former member*, so scores never silently disappear from a
report.
"""
