"""The version of what preprocessing makes of an image, recorded in every export and cache."""

# Bump it whenever the preprocessing changes what a given image becomes, so that older exports
# are refused, not misread, and cached prepared datasets are made again.
PREPROCESS_VERSION = "1"
