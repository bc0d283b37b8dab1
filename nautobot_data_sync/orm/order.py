"""The order writes go in: models after the models they refer to, a tree's nodes after their parents.

Creates follow it (``dependency_order()``, then ``generations()``); deletes go the other way round
(``deletion_order()``): what refers to an object, and a tree node's children, are deleted before it, so that no
delete removes anything by cascade that the sync meant to delete (or keep) itself.
"""

from collections import defaultdict

from django.db.models import ForeignKey


def dependency_order(models):
    """``models`` sorted so that a model comes after the models its foreign keys and many-to-many fields point to."""
    models = list(models)
    order, visiting = [], set()

    def visit(model):
        if model in order or model in visiting:
            return
        visiting.add(model)
        for relation in (*model._meta.concrete_fields, *model._meta.many_to_many):
            if relation.is_relation and relation.related_model in models and relation.related_model is not model:
                visit(relation.related_model)
        order.append(model)

    for model in models:
        visit(model)
    return order


def generations(model, items):
    """``items`` (writes with ``pk`` and ``instance``) in generations: objects whose parent (a foreign key to their
    own model) is among the items come after it (e.g. a tree's levels, from the top)."""
    own = tree_keys(model)
    if not own:
        return [items]
    pending = {item.pk: item for item in items}
    generation_of = {}

    def generation(item):
        if item.pk not in generation_of:
            generation_of[item.pk] = 0  # guards against a cycle
            parents = [pending.get(getattr(item.instance, attname)) for attname in own]
            generation_of[item.pk] = max((generation(parent) + 1 for parent in parents if parent), default=0)
        return generation_of[item.pk]

    by_generation = defaultdict(list)
    for item in items:
        by_generation[generation(item)].append(item)
    return [by_generation[number] for number in sorted(by_generation)]


def deletion_order(queue):
    """``[(model, items)]`` of ``queue`` (``{model: items}``, instances loaded) in the order to delete them: models
    after the models that refer to them, and within a tree, children before parents (one entry per level)."""
    return [
        (model, generation)
        for model in reversed(dependency_order(queue))
        for generation in reversed(generations(model, queue[model]))
    ]


def tree_keys(model):
    """The attnames of ``model``'s foreign keys to itself (``parent_id`` of a location)."""
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, ForeignKey) and f.related_model is model]
