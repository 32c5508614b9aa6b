"""The Voilà apps, built from ipywidgets composite widgets.

Nothing is imported here, so ``import workshop.app.participant`` loads only what the join
screen needs.
"""
