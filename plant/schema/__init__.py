"""The site plan format: pydantic models validated from YAML (see ``plant.loader``)."""

from plant.schema.demand import Climate, Demand, ElectricityDemand, HeatDemand, WorkplaceEVFleet
from plant.schema.markets import (
    CarbonCredit,
    CarbonIntensityShape,
    CarbonPrice,
    Certificate,
    DemandCharge,
    Fuel,
    Grid,
    PowerPurchaseAgreement,
    TimeOfUse,
)
from plant.schema.plan import Plan, Scenario
from plant.schema.profiles import CsvProfile, Profiles, Resources
from plant.schema.site import Baseline, Calendar, Finance, Production, Shutdown, SiteInfo
from plant.schema.targets import Accounting, CleanElectricityTarget, Pin, Target
from plant.schema.technologies import (
    SOFC,
    Battery,
    EfficiencyMeasure,
    ElectricHeater,
    ExistingAsset,
    FuelBoiler,
    HeatPump,
    OnSiteRenewable,
    SmartCharging,
    SolarPV,
    Technology,
    ThermalStorage,
    VehicleToBuilding,
    WindTurbine,
    WorkplaceEVLever,
)

__all__ = [
    "SOFC", "Accounting", "Baseline", "Battery", "Calendar", "CarbonCredit", "CarbonIntensityShape",
    "CarbonPrice", "Certificate",
    "CleanElectricityTarget", "Climate", "CsvProfile", "Demand", "DemandCharge",
    "EfficiencyMeasure",
    "ElectricHeater", "ElectricityDemand", "ExistingAsset", "Finance", "Fuel", "FuelBoiler",
    "Grid", "HeatDemand", "HeatPump", "OnSiteRenewable", "Pin", "Plan",
    "PowerPurchaseAgreement", "Production",
    "Profiles", "Resources", "Scenario",
    "Shutdown", "SiteInfo", "SmartCharging", "SolarPV", "Target", "Technology",
    "ThermalStorage", "TimeOfUse", "VehicleToBuilding", "WindTurbine", "WorkplaceEVFleet",
    "WorkplaceEVLever",
]
