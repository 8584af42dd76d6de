"""Question generation: text → key points → gated ``QuestionDraft`` objects.

Pure, typed Python with no Django import, deterministic for a given seed::

    from quizzes.generation import generate
    result = generate(text, language=None, seed=0, max_drafts=None, progress=None)
    result.language      # "zh-hans" or "en"
    result.key_points    # KeyPointDraft(ordinal, text, start, end, score), document order
    result.drafts        # QuestionDraft, each with key_point_ordinal and source offsets
    result.stats         # per-kind counts, gate results, duplicates, coverage, timings

Chinese is segmented with jieba, loaded once per process with its cache in
``$STUDYAPP_CACHE_DIR`` (default ``var/cache/``); English needs no model.
"""

from quizzes.generation.pipeline import generate
from quizzes.generation.result import GenerationResult, KeyPointDraft

__all__ = ["GenerationResult", "KeyPointDraft", "generate"]
