"""Export code, in one place: files people download.

- ``questions``: a bank's or a quiz's questions in an interchange format (GIFT, Moodle
  XML, Aiken, Chinese plain text, the Excel/CSV template). The questions are read by
  ``selectors.exports``; each format's writer (and reader) is pure Python in
  ``quizzes.formats``.
- ``sheets``: tables as CSV or Excel: the assignment reports (their rows are built beside
  each report in ``selectors/reports/``), the lists of an assignment's learners and the
  initial passwords of imported members. ``quizzes.downloads`` holds the cell helpers it
  shares with the admin's exports.
"""
