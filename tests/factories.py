"""factory_boy factories for the domain model. Versions are created through the bank
services in tests that care about content; these build the plain rows."""

from datetime import timedelta

import factory
from django.utils import timezone

from quizzes import models

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"Learner {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionBank

    title = factory.Sequence(lambda n: f"Bank {n}")
    owner = factory.SubFactory(UserFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SourceDocument

    bank = factory.SubFactory(BankFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    text = factory.Sequence(lambda n: f"Document text number {n}. Adhere to the plan.")
    language = models.Language.ENGLISH
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    uploaded_by = factory.SelfAttribute("bank.owner")


class KeyPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.KeyPoint

    document = factory.SubFactory(DocumentFactory)
    ordinal = factory.Sequence(lambda n: n + 1)
    text = "Adhere to the plan."
    start_offset = 0
    end_offset = 19
    score = 0.5


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    bank = factory.SubFactory(BankFactory)
    origin = models.Question.Origin.MANUAL
    status = models.Question.Status.PUBLISHED
    created_by = factory.SelfAttribute("bank.owner")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionVersion

    question = factory.SubFactory(QuestionFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = models.QuestionKind.SINGLE
    stem = factory.Sequence(lambda n: f"Question stem {n}?")
    created_by = factory.SelfAttribute("question.created_by")


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    owner = factory.SubFactory(UserFactory)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StudyGroup

    name = factory.Sequence(lambda n: f"Study group {n}")
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = models.Membership.Role.MEMBER


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assignment

    quiz = factory.SubFactory(QuizFactory)
    group = factory.SubFactory(GroupFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    created_by = factory.SelfAttribute("quiz.owner")


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attempt

    assignment = factory.SubFactory(AssignmentFactory)
    user = factory.SubFactory(UserFactory)
    number = 1
    started_at = factory.LazyFunction(timezone.now)
    max_score = 10


def group_chain(depth: int, *, organizer, name: str = "Level") -> list:
    """``depth`` groups, each the parent of the next; ``organizer`` organizes the top one
    (and so, through the tree, all of them)."""
    groups = []
    parent = None
    for level in range(depth):
        parent = GroupFactory(name=f"{name} {level}", parent=parent, created_by=organizer)
        groups.append(parent)
    MembershipFactory(group=groups[0], user=organizer, role=models.Membership.Role.ORGANIZER)
    return groups
