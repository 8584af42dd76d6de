"""Serializers of the attempt API. Input serializers validate what the browser sends;
output serializers describe what an open attempt may show — never a key — and, apart,
an item's outcome once feedback is allowed."""

from rest_framework import serializers

MAX_CHOICES = 50
MAX_BLANKS = 50


class AnswerInputSerializer(serializers.Serializer):
    """One answer: ``choices`` are shown positions (1 = first choice as shown in this
    attempt), ``blanks`` the text of each blank in order."""

    position = serializers.IntegerField(min_value=1)
    sequence = serializers.IntegerField(min_value=1)
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_CHOICES,
    )
    blanks = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=500, trim_whitespace=False),
        required=False,
        default=list,
        max_length=MAX_BLANKS,
    )


class AnswerSavedSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    sequence = serializers.IntegerField()
    answered = serializers.BooleanField()
    saved_at = serializers.DateTimeField()
    server_now = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class MapEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField()
    answered = serializers.BooleanField()
    checked = serializers.BooleanField()


class AttemptSerializer(serializers.Serializer):
    """An attempt's state and question map. Scores only once finished."""

    id = serializers.IntegerField(source="attempt.pk")
    number = serializers.IntegerField(source="attempt.number")
    state = serializers.CharField(source="attempt.state")
    started_at = serializers.DateTimeField(source="attempt.started_at")
    deadline = serializers.DateTimeField(source="attempt.deadline", allow_null=True)
    grace_seconds = serializers.IntegerField()
    server_now = serializers.DateTimeField()
    items = MapEntrySerializer(many=True)
    finished_at = serializers.DateTimeField(source="attempt.finished_at", allow_null=True)
    score = serializers.DecimalField(
        source="attempt.score", max_digits=10, decimal_places=4, allow_null=True
    )
    max_score = serializers.DecimalField(
        source="attempt.max_score", max_digits=10, decimal_places=4
    )
    result_url = serializers.CharField()


class ShownChoiceSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()
    selected = serializers.BooleanField()


class StemPartSerializer(serializers.Serializer):
    text = serializers.CharField()
    blank = serializers.IntegerField(allow_null=True)
    response = serializers.CharField()


class ChoiceOutcomeSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()
    selected = serializers.BooleanField()
    is_correct = serializers.BooleanField(source="right")
    feedback = serializers.CharField()


class BlankOutcomeSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    response = serializers.CharField()
    is_correct = serializers.BooleanField(source="right")
    accepted = serializers.ListField(child=serializers.CharField())
    credit = serializers.DecimalField(max_digits=7, decimal_places=2)
    feedback = serializers.CharField()


class ItemOutcomeSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=10, decimal_places=4)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    verdict = serializers.CharField()
    choices = ChoiceOutcomeSerializer(many=True)
    blanks = BlankOutcomeSerializer(many=True)
    explanation = serializers.CharField()
    source_excerpt = serializers.CharField()
    key_point_text = serializers.CharField()


class QuestionScreenSerializer(serializers.Serializer):
    """One question of an open attempt. ``outcome`` is null unless the item was checked
    under immediate feedback."""

    position = serializers.IntegerField()
    total = serializers.IntegerField()
    kind = serializers.CharField()
    stem = serializers.CharField()
    stem_parts = StemPartSerializer(many=True)
    choices = ShownChoiceSerializer(many=True)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    sequence = serializers.SerializerMethodField()
    next_sequence = serializers.IntegerField()
    answered = serializers.BooleanField()
    checked = serializers.BooleanField()
    outcome = ItemOutcomeSerializer(allow_null=True)

    def get_sequence(self, screen) -> int:
        return screen.next_sequence - 1


class StartedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    state = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()


class FinishedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="attempt.pk")
    state = serializers.CharField(source="attempt.state")
    finished_at = serializers.DateTimeField(source="attempt.finished_at")
    score = serializers.DecimalField(source="attempt.score", max_digits=10, decimal_places=4)
    max_score = serializers.DecimalField(
        source="attempt.max_score", max_digits=10, decimal_places=4
    )
    percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    result_url = serializers.CharField()
