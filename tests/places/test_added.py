from lib.places import added


def test_sites_round_trip_through_url_values():
    sites = [("Plainfield Police Division, HQ", "police_station", 40.61805, -74.41935),
             ("Richmond Towers", "public_housing", 40.624568, -74.417153)]
    values = added.encode(sites)
    assert values == ["40.618050,-74.419350,police_station,Plainfield Police Division, HQ",
                      "40.624568,-74.417153,public_housing,Richmond Towers"]
    assert added.decode(values) == (sites, [])


def test_bad_values_are_left_out_with_a_reason():
    kept, notices = added.decode(["91,-74.4,court,Nowhere", "40.6,-74.4,castle,Keep", "40.6,-74.4",
                                  "40.6,-74.4,jail,County jail", "40.6,-74.4,jail,County jail"])
    assert kept == [("County jail", "jail", 40.6, -74.4)]
    assert len(notices) == 3
    assert "Latitude must be between -90 and 90" in notices[0]
    assert "Choose a kind of site" in notices[1]
    assert "expected latitude,longitude,kind,name" in notices[2]
