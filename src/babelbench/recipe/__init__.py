"""Recipes: schema, loading with file:line errors, expansion into variants, identity."""

from ..core.errors import ConfigError, Problem
from .loader import load_recipe, load_recipes, parse_override, recipe_files
from .schema import Recipe, Variant

__all__ = ["ConfigError", "Problem", "Recipe", "Variant", "load_recipe", "load_recipes",
           "parse_override", "recipe_files"]
