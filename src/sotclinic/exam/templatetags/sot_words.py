"""``{% load sot_words %}``: SOT codes in the page's language (sotclinic.exam.words)."""

from django import template

from sotclinic.exam import words

register = template.Library()
register.filter("side_words", words.side_words)
register.filter("category_name", words.category_name)
register.filter("position_words", words.position_words)
