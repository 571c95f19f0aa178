"""sotclinic: practice software for chiropractic clinics that use Sacro Occipital Technique."""

__version__ = "0.1.0"
