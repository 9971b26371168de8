"""The agenda embedded in other sites, and the organisers' page that writes its snippet."""
